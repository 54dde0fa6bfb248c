/**
 * The seam to Strapi (server/strapi/): its shortcuts into other packages' internals hold on the
 * installed Strapi and users-permissions, and fail loudly, by name, when an upgrade breaks them.
 */
import fs from 'fs';
import path from 'path';
import { startTestApp, TestApp, REPO_ROOT } from './helpers/test-app';
import { codeFor, login } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

// The compiled plugin, as the test app loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module the test app loads (dist/), not the TypeScript source
const jwtSign = require('../dist/server/strapi/shortcuts/jwt-sign');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const identitySql = require('../dist/server/strapi/shortcuts/identity-sql');

const USER_UID = 'plugin::users-permissions.user';
const IDENTITY_UID = 'plugin::strapi-wechat-miniprogram-auth.identity';
const sim = new WeChatSimulator({ apps: [{ ...DEMO_APP, openPlatformId: 'op-seam' }] });
let app: TestApp;

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({ name: 'seam', pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret } });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

describe(`shortcut ${jwtSign.SHORTCUT_NAME}`, () => {
  test("users-permissions' stock jwt.issue is found where the shortcut expects it (server/services/jwt.js)", () => {
    const stock = jwtSign.stockIssue(app.strapi);
    if (!stock) throw new Error(`${jwtSign.SHORTCUT_NAME}: users-permissions' server/services/jwt.js moved; tokens now go through jwt.issue`);
    expect(typeof stock).toBe('function');
  });

  test('on a stock app the shortcut is in use and signs the very token jwt.issue makes', () => {
    const service = app.strapi.plugin('users-permissions').service('jwt');
    const config = () => ({
      secret: app.strapi.config.get('plugin.users-permissions.jwtSecret'),
      options: app.strapi.config.get('plugin.users-permissions.jwt') ?? {},
    });
    const signer = jwtSign.createJwtSigner(app.strapi, service, config);
    expect(signer.fast).toBe(true);
    const now = Math.floor(Date.now() / 1000);
    // Same second, same payload: the tokens must be identical (retry once across a second boundary).
    for (let attempt = 0; attempt < 2; attempt++) {
      const ours = signer.sign({ id: 42 });
      const theirs = service.issue({ id: 42 });
      if (Math.floor(Date.now() / 1000) !== now && attempt === 0) continue;
      expect(ours).toBe(theirs);
      return;
    }
  });

  test('no bootstrap warning about the shortcut on this version', () => {
    expect(app.logs.lines.filter((l) => l.includes(jwtSign.SHORTCUT_NAME))).toEqual([]);
  });
});

describe(`shortcut ${identitySql.SHORTCUT_NAME}`, () => {
  test("its assumptions hold for this Strapi's metadata", () => {
    const meta = (uid: string) => app.strapi.db.metadata.get(uid);
    expect(() => identitySql.assertIdentitySqlAssumptions(meta(IDENTITY_UID), meta(USER_UID))).not.toThrow();
  });

  test('a metadata shape it does not know is refused by name, not used', () => {
    const identity = { ...app.strapi.db.metadata.get(IDENTITY_UID) };
    identity.attributes = { ...identity.attributes, user: { ...identity.attributes.user, joinTable: undefined } };
    expect(() => identitySql.assertIdentitySqlAssumptions(identity, app.strapi.db.metadata.get(USER_UID))).toThrow(
      new RegExp(`${identitySql.SHORTCUT_NAME.replace(/[()]/g, '\\$&')}.*join table`)
    );
  });

  test('the user it reads is, field by field, the one the query engine reads', async () => {
    const res = await login(app.server, { code: codeFor('seamuser'), userInfo: { nickName: '镜子', gender: 2 } });
    expect(res.status).toBe(200);
    const openid = sim.openidFor(DEMO_APP.appId, 'seamuser');
    const sql = identitySql.createIdentitySql(() => app.strapi.db.connection, app.strapi.db.metadata.get(IDENTITY_UID), app.strapi.db.metadata.get(USER_UID));
    const found = await sql.find(DEMO_APP.appId, openid);
    const fromEngine = await app.strapi.db.query(USER_UID).findOne({ where: { id: res.body.user.id } });
    // Every type the user model has: integer id, strings, booleans, JSON, datetimes, nulls.
    expect(found.user).toEqual(fromEngine);
    const identity = await app.strapi.db.query(IDENTITY_UID).findOne({ where: { openid } });
    expect(found.identity).toEqual({ id: identity.id, appId: identity.appId, openid, unionid: identity.unionid, sessionKey: identity.sessionKey });
    expect(found.identity.unionid).toBe(sim.unionidFor('op-seam', 'seamuser'));
  });

  test("a new user's first identity, written by the shortcut, reads back through the query engine as its own", async () => {
    const first = await login(app.server, { code: codeFor('seamfirst') });
    expect(first.status).toBe(200);
    const raw = await app.strapi.db.query(IDENTITY_UID).findOne({ where: { openid: first.body.user.openid }, populate: ['user'] });
    expect(raw).toMatchObject({ appId: DEMO_APP.appId, openid: first.body.user.openid, user: { id: first.body.user.id } });
    expect(new Date(raw.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(raw.updatedAt).toBe(raw.createdAt);
    const linkTable = app.strapi.db.metadata.get(IDENTITY_UID).attributes.user.joinTable;
    const links = await app.strapi.db.connection(linkTable.name).where({ [linkTable.joinColumn.name]: raw.id });
    expect(links).toEqual([expect.objectContaining({ [linkTable.inverseJoinColumn.name]: first.body.user.id, [linkTable.inverseOrderColumnName]: 1 })]);
    // The user's relation list (the Content Manager's view) holds it.
    const user = await app.strapi.db.query(USER_UID).findOne({ where: { id: first.body.user.id }, populate: ['wechatIdentities'] });
    expect(user.wechatIdentities.map((i: { id: number }) => i.id)).toEqual([raw.id]);
  });

  test("one batch UPDATE stores each identity's own session key and leaves the others alone", async () => {
    const names = ['seambatcha', 'seambatchb', 'seambatchc', 'seambatchd'];
    for (const name of names) expect((await login(app.server, { code: codeFor(name) })).status).toBe(200);
    const identities = app.strapi.db.query(IDENTITY_UID);
    const rows = await Promise.all(names.map((name) => identities.findOne({ where: { openid: sim.openidFor(DEMO_APP.appId, name) } })));
    const sql = identitySql.createIdentitySql(() => app.strapi.db.connection, app.strapi.db.metadata.get(IDENTITY_UID), app.strapi.db.metadata.get(USER_UID));
    const before = Date.now();
    // Three of the four, in an order that is not the ids' (the CASE must pair each id with its own key).
    await sql.storeSessionKeys(
      new Map([
        [rows[2].id, 'key-c'],
        [rows[0].id, 'key-a'],
        [rows[1].id, 'key-b'],
      ])
    );
    const after = await Promise.all(rows.map((row) => identities.findOne({ where: { id: row.id } })));
    expect(after.map((row) => row.sessionKey)).toEqual(['key-a', 'key-b', 'key-c', rows[3].sessionKey]);
    for (const row of after.slice(0, 3)) expect(new Date(row.updatedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(after[3].updatedAt).toBe(rows[3].updatedAt);
    // A batch of one (the usual size when logins are few), and the same size again (its statement reused).
    await sql.storeSessionKeys(new Map([[rows[3].id, 'key-d']]));
    await sql.storeSessionKeys(new Map([[rows[0].id, 'key-a2']]));
    const last = await Promise.all(rows.map((row) => identities.findOne({ where: { id: row.id } })));
    expect(last.map((row) => row.sessionKey)).toEqual(['key-a2', 'key-b', 'key-c', 'key-d']);
  });

  test('an identity whose user was deleted is found with no user (the next login makes a new one)', async () => {
    const first = await login(app.server, { code: codeFor('seamgone') });
    await app.strapi.db.query(USER_UID).delete({ where: { id: first.body.user.id } });
    const again = await login(app.server, { code: codeFor('seamgone') });
    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(first.body.user.id);
    expect(await app.strapi.db.query(IDENTITY_UID).count({ where: { openid: first.body.user.openid } })).toBe(1);
  });
});

describe('the seam is the only place with casts into Strapi', () => {
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));

  test('no `as never`, `as unknown as` or non-null `strapi.db!`/`strapi.store!` in server/ outside server/strapi/', () => {
    const offenders = files(path.join(REPO_ROOT, 'server'))
      .filter((f) => f.endsWith('.ts') && !f.includes(`${path.sep}server${path.sep}strapi${path.sep}`))
      .flatMap((f) =>
        fs
          .readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ f: path.relative(REPO_ROOT, f), line: i + 1, text: line }))
          .filter(({ text }) => /\bas never\b|\bas unknown as\b|strapi\.(db|store)!/.test(text))
      );
    expect(offenders).toEqual([]);
  });
});
