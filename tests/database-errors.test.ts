/**
 * Database failures carry no values out of the plugin. knex writes the failed statement with its
 * bound values into its error messages and Strapi's error middleware logs what reaches it; the plugin
 * passes database errors on as a DatabaseOperationError (the operation and the driver's code only).
 * Real failures (tables that refuse writes, a real unique violation) during logins and an access
 * token write, on SQLite, PostgreSQL or MariaDB (DATABASE_CLIENT): the whole log and every response
 * are scanned for the openid, the session key, the userInfo and the access token.
 */
import util from 'util';
import type { Knex } from 'knex';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { expectNoSecrets, login, ResponseLog } from './helpers/login';
import { IDENTITY_TABLE, IDENTITY_UID, USER_UID } from './helpers/apps';
import { REFUSAL_CODES, refuseWrites } from './helpers/refuse-writes';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

// The compiled seam, as the test app loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module the test app loads (dist/), not the TypeScript source
const seam = require('../dist/server/strapi');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const { asIdentityWrite } = require('../dist/server/lifecycles/identity-guard');

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const ACCESS_TOKEN_TABLE = 'wechat_access_tokens';
const USERS_TABLE = 'up_users';

const sim = new WeChatSimulator();
/** The answers to the logins the database failed (a successful login's answer is its owner's and holds the openid). */
const refusals = new ResponseLog();
let app: TestApp;
const knex = (): Knex => app.strapi.db.connection;

/** Everything that must never reach a log line or another's response. */
const secrets = new Set<string>();
const remember = (...values: Array<string | null | undefined>) => values.forEach((v) => v && secrets.add(v));

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  // No encryption key: session keys and access tokens are stored as they are, the worst case for a leak.
  delete process.env.WECHAT_AUTH_ENCRYPTION_KEY;
  app = await startTestApp({ name: 'database-errors', pluginConfig: { apiBaseUrl, apps: [{ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }] } });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

const post = (body: unknown) => login(app.server, body);

/** A login refused because the database failed: Strapi's plain 500, no stack, no detail. */
function expectDatabaseFailure(res: Untyped) {
  refusals.add(res);
  expect({ status: res.status, body: res.body }).toEqual({
    status: 500,
    body: { data: null, error: { status: 500, name: 'InternalServerError', message: 'Internal Server Error' } },
  });
}

/** The failure reached Strapi's log without any value, as the plugin's error with the database's code and the operation. */
function expectLoggedFailure(from: number, operation: RegExp) {
  const logged = app.logs.lines.slice(from).join('\n');
  expectNoSecrets(logged, [...secrets]);
  expect(logged).toMatch(/DatabaseOperationError/);
  expect(logged).toMatch(operation);
  expect(REFUSAL_CODES.some((code) => logged.includes(code))).toBe(true);
}

const userInfoOf = (user: string) => ({
  nickName: `nick-${user}-${Math.random().toString(36).slice(2)}`,
  city: `city-${user}-${Math.random().toString(36).slice(2)}`,
});

test("a new user's login while the users table refuses the new row: 500, no openid and no userInfo logged", async () => {
  const userInfo = userInfoOf('ulla');
  remember(sim.openidFor(DEMO_APP.appId, 'ulla'), userInfo.nickName, userInfo.city);
  const from = app.logs.lines.length;
  const restore = await refuseWrites(knex(), USERS_TABLE, ['INSERT']);
  try {
    const res = await post({ code: sim.issueCode(DEMO_APP.appId, 'ulla'), userInfo });
    remember(sim.sessionKeyFor(DEMO_APP.appId, 'ulla'));
    expectDatabaseFailure(res);
  } finally {
    await restore();
  }
  expectLoggedFailure(from, /plugin::users-permissions\.user\.create|transaction/);
  expect(await app.strapi.db.query(USER_UID).count({ where: { username: `wechat_${sim.openidFor(DEMO_APP.appId, 'ulla')}` } })).toBe(0);
});

test("a new user's login while the identities table refuses the identity: 500, no openid and no session key logged, no user left", async () => {
  const userInfo = userInfoOf('ida');
  remember(sim.openidFor(DEMO_APP.appId, 'ida'), userInfo.nickName, userInfo.city);
  const usersBefore = await app.strapi.db.query(USER_UID).count();
  const from = app.logs.lines.length;
  const restore = await refuseWrites(knex(), IDENTITY_TABLE, ['INSERT']);
  try {
    const res = await post({ code: sim.issueCode(DEMO_APP.appId, 'ida'), userInfo });
    remember(sim.sessionKeyFor(DEMO_APP.appId, 'ida'));
    expectDatabaseFailure(res);
  } finally {
    await restore();
  }
  expectLoggedFailure(from, /identity-sql\.insertFirstIdentity/);
  expect(await app.strapi.db.query(USER_UID).count()).toBe(usersBefore);
});

test("a returning user's login while the identities table refuses the new session key: 500, the session key not logged", async () => {
  const first = await post({ code: sim.issueCode(DEMO_APP.appId, 'rex') });
  expect(first.status).toBe(200);
  remember(sim.openidFor(DEMO_APP.appId, 'rex'));
  const from = app.logs.lines.length;
  const restore = await refuseWrites(knex(), IDENTITY_TABLE, ['UPDATE']);
  try {
    const res = await post({ code: sim.issueCode(DEMO_APP.appId, 'rex'), userInfo: userInfoOf('rex') });
    remember(sim.sessionKeyFor(DEMO_APP.appId, 'rex'));
    expectDatabaseFailure(res);
  } finally {
    await restore();
  }
  expectLoggedFailure(from, /identity-sql\.storeSessionKeys/);
  // The database is back: the same user logs in again.
  const again = await post({ code: sim.issueCode(DEMO_APP.appId, 'rex') });
  expect(again.status).toBe(200);
  expect(again.body.user.id).toBe(first.body.user.id);
});

test('an access token the store cannot write: the error thrown to app code and its log line hold no token, only the code', async () => {
  const wechat = app.strapi.plugin(PLUGIN).service('wechat');
  const from = app.logs.lines.length;
  const restore = await refuseWrites(knex(), ACCESS_TOKEN_TABLE, ['INSERT', 'UPDATE']);
  let caught: Untyped;
  try {
    caught = await wechat.call({ method: 'GET', path: '/wxa/getpaidunionid', query: { openid: sim.openidFor(DEMO_APP.appId, 'ulla') } }).then(
      () => null,
      (error: unknown) => error
    );
  } finally {
    await restore();
  }
  const token = sim.getAccessToken(DEMO_APP.appId);
  remember(token);
  expect(caught).toMatchObject({ name: 'DatabaseOperationError', operation: expect.stringMatching(/access-token\.create/) });
  expect(REFUSAL_CODES).toContain(caught.code);
  // What app code would do with it: log it, show it, serialise it.
  app.strapi.log.error(caught);
  const shown = [caught.message, caught.stack, util.inspect(caught, { depth: 5, showHidden: true }), JSON.stringify(caught)].join('\n');
  expectNoSecrets(shown, [token]);
  expect(app.logs.lines.slice(from).join('\n')).toMatch(/DatabaseOperationError/);
});

test('a unique violation leaves the seam as a DatabaseOperationError with its code and without the values', async () => {
  const openid = sim.openidFor(DEMO_APP.appId, 'rex');
  const [existing] = await knex()(IDENTITY_TABLE).where({ openid }).select('session_key');
  remember(existing.session_key);
  // Identity rows are written only through the plugin's identity guard (server/lifecycles/identity-guard.ts).
  const error: Untyped = await asIdentityWrite(() =>
    seam.query(app.strapi, IDENTITY_UID).create({ data: { appId: DEMO_APP.appId, openid, sessionKey: existing.session_key } })
  ).then(
    () => null,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(seam.DatabaseOperationError);
  expect(['SQLITE_CONSTRAINT_UNIQUE', '23505', 'ER_DUP_ENTRY']).toContain(error.code);
  expect(seam.isUniqueViolation(error)).toBe(true);
  expect(error.operation).toBe(`${IDENTITY_UID}.create`);
  expect(error).not.toHaveProperty('cause');
  expectNoSecrets([error.message, error.stack, util.inspect(error, { showHidden: true })].join('\n'), [openid, existing.session_key]);
});

test('no log line and no response of this file holds an openid, a session key, a userInfo or an access token', () => {
  expect(secrets.size).toBeGreaterThanOrEqual(8);
  expectNoSecrets(app.logs.text(), [...secrets]);
  expectNoSecrets(refusals.text(), [...secrets]);
  expect(refusals.text()).not.toMatch(/"stack"|at .*\(.*\.js:\d+/);
});
