/**
 * The GraphQL mutations (README, "GraphQL") on a real Strapi 4.26 with @strapi/plugin-graphql installed
 * and the WeChat simulator: wechatMiniProgramLogin answers users-permissions' UsersPermissionsLoginPayload,
 * wechatBindPhone needs the JWT and the phone.bind permission; both go through the REST code path, so
 * every failure carries the REST answer's { status, name, message, details } in extensions.error, and
 * the login spends the REST login's rate-limit budget. The rest of the suite runs without the GraphQL plugin.
 */
import request from 'supertest';
import { sanitize } from '@strapi/utils';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { expectNoSecrets, faultCode, login, ResponseLog } from './helpers/login';
import { expectStatus } from './helpers/apps';
import { createApiToken, registerFirstAdmin } from './helpers/admin';
import { generatedForPlugin, schemaNames } from './helpers/graphql-schema';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const USER_UID = 'plugin::users-permissions.user';
const ROLE_UID = 'plugin::users-permissions.role';
const PERMISSION_UID = 'plugin::users-permissions.permission';
const PLUGIN = 'strapi-wechat-miniprogram-auth';
const PHONE_ACTION = `plugin::${PLUGIN}.phone.bind`;
const TIMEOUT_MS = 1000;

const A = DEMO_APP;
const B = { appId: 'wx00000000000000b7', appSecret: 'b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7' };
const APPS = [A, B];

const sim = new WeChatSimulator({ apps: APPS });
const responses = new ResponseLog();
let apiBaseUrl: string;
let app: TestApp;
/** Logs of the apps already stopped, for the final scan. */
const earlierLogs: string[] = [];
const numbersHandedOut = new Set<string>();

const pluginConfig = (ratelimit: Record<string, unknown>) => ({
  apiBaseUrl,
  apps: APPS,
  timeout: TIMEOUT_MS,
  ratelimit,
});

beforeAll(async () => {
  apiBaseUrl = await sim.start();
  // The rate limit has its own app below (a small budget); here it would only get in the way.
  app = await startTestApp({ name: 'graphql', graphql: true, pluginConfig: pluginConfig({ enabled: false }) });
});

afterAll(async () => {
  try {
    const secrets = [...APPS.map((a) => a.appSecret), ...APPS.map((a) => sim.getAccessToken(a.appId)), ...sim.issuedSessionKeys];
    const logs = [...earlierLogs, app.logs.text()].join('\n');
    expectNoSecrets([logs, responses.text()].join('\n'), secrets);
    // Phone numbers: answered to their owner, never logged.
    expect([...numbersHandedOut].filter((n) => logs.includes(n))).toEqual([]);
  } finally {
    await app?.stop();
    await sim.stop();
  }
});

// ---------------------------------------------------------------------------------------------

interface GraphqlError {
  message: string;
  extensions: { code: string; error?: { status?: number; name: string; message: string; details: Record<string, unknown> } };
}
interface GraphqlAnswer {
  data: Record<string, Untyped> | null;
  errors?: GraphqlError[];
}

async function graphql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphqlAnswer> {
  const req = request(app.server).post('/graphql');
  if (token) req.set('Authorization', `Bearer ${token}`);
  const res = responses.add(await req.send({ query, variables }));
  expectStatus(res, 200);
  return res.body as GraphqlAnswer;
}

const ME_FIELDS = 'id username email confirmed blocked role { id name type }';
const LOGIN = `mutation Login($input: WechatMiniProgramLoginInput!) {
  wechatMiniProgramLogin(input: $input) { jwt user { ${ME_FIELDS} } wechatPhone { bound phoneNumber purePhoneNumber countryCode reason message } }
}`;
const BIND_PHONE = `mutation Bind($code: String!, $appId: String) {
  wechatBindPhone(code: $code, appId: $appId) { phoneNumber purePhoneNumber countryCode }
}`;

const gqlLogin = (input: Record<string, unknown>) => graphql(LOGIN, { input });

/** The one error of a failed mutation (data null: the fields are non-null). */
function onlyError(answer: GraphqlAnswer): GraphqlError {
  expect({ data: answer.data, errors: answer.errors?.length }).toEqual({ data: null, errors: 1 });
  return answer.errors![0];
}

/** A GraphQL failure carries the REST answer's error, status included. */
async function expectSameFailure(input: Record<string, unknown>, restInput: Record<string, unknown>, status: number) {
  const rest = responses.add(await login(app.server, restInput));
  expect(rest.status).toBe(status);
  const error = onlyError(await gqlLogin(input));
  expect(error.extensions.error).toEqual(rest.body.error);
  expect(error.message).toBe(rest.body.error.message);
  return error;
}

const users = () => app.strapi.db.query(USER_UID);
const userCount = () => users().count();
const code2sessionCalls = () => sim.getStats().totals.code2session ?? 0;
const phoneCalls = () => sim.getStats().totals.phone ?? 0;

function phoneCode(appId: string, user: string): string {
  numbersHandedOut.add(sim.phoneNumberFor(user).phoneNumber);
  numbersHandedOut.add(sim.phoneNumberFor(user).purePhoneNumber);
  return sim.issuePhoneCode(appId, user);
}

async function loginAs(user: string, appId = A.appId) {
  const answer = await gqlLogin({ code: sim.issueCode(appId, user), appId });
  expect(answer.errors).toBeUndefined();
  return answer.data!.wechatMiniProgramLogin as { jwt: string; user: { id: string; username: string } };
}

async function setPermission(action: string, granted: boolean, roleType = 'authenticated') {
  const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: roleType } });
  if (granted) await app.strapi.db.query(PERMISSION_UID).create({ data: { action, role: role.id } });
  else {
    const rows = await app.strapi.db.query(PERMISSION_UID).findMany({ where: { action, role: role.id } });
    for (const row of rows) await app.strapi.db.query(PERMISSION_UID).delete({ where: { id: row.id } });
    expect(rows.length).toBe(1);
  }
}

// ---------------------------------------------------------------------------------------------

describe('mutation wechatMiniProgramLogin', () => {
  test('a new user: the payload is users-permissions’ own, and the jwt works on /api/users/me and on the GraphQL me query', async () => {
    const before = await userCount();
    const answer = await gqlLogin({ code: sim.issueCode(A.appId, 'ann') });
    expect(answer.errors).toBeUndefined();
    const { jwt, user, wechatPhone } = answer.data!.wechatMiniProgramLogin;
    expect(await userCount()).toBe(before + 1);
    const row = await users().findOne({ where: { id: Number(user.id) }, populate: ['wechatIdentities'] });
    expect(row.wechatIdentities.map((i: Untyped) => i.appId)).toEqual([A.appId]);
    expect(user).toEqual({ id: String(row.id), username: row.username, email: row.email ?? null, confirmed: row.confirmed, blocked: row.blocked, role: null });
    expect(wechatPhone).toBeNull();

    const me = responses.add(await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${jwt}`));
    expectStatus(me, 200);
    expect(me.body).toMatchObject({ id: row.id, username: row.username });
    const gqlMe = await graphql(`{ me { ${ME_FIELDS} } }`, {}, jwt);
    expect(gqlMe.errors).toBeUndefined();
    expect(gqlMe.data!.me).toMatchObject({ id: String(row.id), username: row.username, role: { type: 'authenticated' } });
  });

  test('the same shape as users-permissions’ own login mutation (a local user), and no private field can be asked for', async () => {
    const local = responses.add(
      await request(app.server).post('/api/auth/local/register').send({ username: 'gqllocal', email: 'gqllocal@example.com', password: 'Password123!' })
    );
    expectStatus(local, 200);
    const theirs = await graphql(`mutation { login(input: { identifier: "gqllocal", password: "Password123!" }) { jwt user { ${ME_FIELDS} } } }`);
    expect(theirs.errors).toBeUndefined();
    const ours = await gqlLogin({ code: sim.issueCode(A.appId, 'ann') });
    const shape = (payload: Untyped) => Object.fromEntries(Object.entries(payload.user).map(([k, v]) => [k, v === null ? null : typeof v]));
    expect(shape(ours.data!.wechatMiniProgramLogin)).toEqual(shape(theirs.data!.login));

    const type = await graphql(`
      {
        __type(name: "UsersPermissionsMe") {
          fields {
            name
          }
        }
      }
    `);
    expect(type.data!.__type.fields.map((f: { name: string }) => f.name).sort()).toEqual(['blocked', 'confirmed', 'email', 'id', 'role', 'username']);
    for (const field of ['openid', 'wechatSessionKey', 'phoneNumber', 'password']) {
      const res = responses.add(
        await request(app.server)
          .post('/graphql')
          .send({ query: `mutation { wechatMiniProgramLogin(input: { code: "x" }) { user { id ${field} } } }` })
      );
      expect({ status: res.status, message: res.body.errors?.[0].message }).toEqual({
        status: 400,
        message: `Cannot query field "${field}" on type "UsersPermissionsMe".`,
      });
    }
  });

  test('a returning user gets the same account and a new working jwt', async () => {
    const first = await loginAs('bea');
    const before = await userCount();
    const second = await loginAs('bea');
    expect(second.user.id).toBe(first.user.id);
    expect(await userCount()).toBe(before);
    expectStatus(await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${second.jwt}`), 200);
  });

  test('appId, userInfo and phoneCode do what they do over REST; null optional fields count as absent', async () => {
    const userInfo = { nickName: '小明', gender: 1, city: 'Hangzhou' };
    const answer = await gqlLogin({ code: sim.issueCode(B.appId, 'cai'), appId: B.appId, userInfo, phoneCode: phoneCode(B.appId, 'cai') });
    expect(answer.errors).toBeUndefined();
    const { user, wechatPhone } = answer.data!.wechatMiniProgramLogin;
    const expected = sim.phoneNumberFor('cai');
    expect(wechatPhone).toEqual({ bound: true, ...expected, reason: null, message: null });
    const row = await users().findOne({ where: { id: Number(user.id) }, populate: ['wechatIdentities'] });
    expect(row.wechatIdentities.map((i: Untyped) => i.appId)).toEqual([B.appId]);
    expect(row).toMatchObject({ wechatUserInfo: userInfo, phoneNumber: expected.phoneNumber });

    const nulls = await gqlLogin({ code: sim.issueCode(A.appId, 'cai2'), appId: null, userInfo: null, phoneCode: null });
    expect(nulls.errors).toBeUndefined();

    // A phone code WeChat refuses: the login succeeds, the answer says why the phone was not bound.
    const refused = await gqlLogin({ code: sim.issueCode(A.appId, 'dan'), phoneCode: faultCode('err40029') });
    expect(refused.errors).toBeUndefined();
    expect(refused.data!.wechatMiniProgramLogin.wechatPhone).toMatchObject({ bound: false, reason: 'invalid_code', phoneNumber: null });
  });

  test.each([
    ['a code wx.login never produces', { code: 'has spaces' }],
    ['an unknown appId', { appId: 'wx0000000000000099' }],
    ['a malformed appId', { appId: 'not-an-app' }],
    ['userInfo with an unknown field', { userInfo: { nickName: 'x', password: 'y' } }],
    ['userInfo with a bad gender', { userInfo: { gender: 5 } }],
    ['userInfo that is not an object', { userInfo: 'me' }],
    ['a malformed phoneCode', { phoneCode: 'not hex!' }],
  ])('%s: the REST 400 (name, message, details, status), nothing created, WeChat not called', async (_label, fields) => {
    const before = { users: await userCount(), calls: code2sessionCalls() };
    const body = { code: sim.issueCode(A.appId, 'eve'), ...fields };
    const error = await expectSameFailure(body, body, 400);
    expect(error.extensions.error!.status).toBe(400);
    expect(['BAD_USER_INPUT', 'STRAPI_APPLICATION_ERROR']).toContain(error.extensions.code);
    expect({ users: await userCount(), calls: code2sessionCalls() }).toEqual(before);
  });

  test('a missing code is refused by GraphQL itself (a required argument), before the resolver', async () => {
    const before = code2sessionCalls();
    const res = responses.add(
      await request(app.server)
        .post('/graphql')
        .send({ query: LOGIN, variables: { input: {} } })
    );
    expect(res.body.errors[0].message).toMatch(/code/);
    expect(code2sessionCalls()).toBe(before);
  });

  test.each([
    ['err40029', 400, 'STRAPI_APPLICATION_ERROR', 'invalid_code'],
    ['err40226', 403, 'STRAPI_FORBIDDEN_ERROR', undefined],
    ['err45011', 429, 'STRAPI_RATE_LIMIT_ERROR', undefined],
    ['err-1', 503, 'STRAPI_SERVICE_UNAVAILABLE_ERROR', undefined],
    ['err40013', 502, 'STRAPI_BAD_GATEWAY_ERROR', undefined],
    ['http500', 502, 'STRAPI_BAD_GATEWAY_ERROR', undefined],
    ['delay2500', 504, 'STRAPI_GATEWAY_TIMEOUT_ERROR', undefined],
  ])('WeChat failing with %s: the REST %i, nothing created', async (fault, status, code, reason) => {
    const before = await userCount();
    const error = await expectSameFailure({ code: faultCode(fault) }, { code: faultCode(fault) }, status);
    expect({ status: error.extensions.error!.status, code: error.extensions.code }).toEqual({ status, code });
    if (reason) expect(error.extensions.error!.details).toMatchObject({ reason });
    expect(await userCount()).toBe(before);
  });

  test('an error not meant for clients is "Internal Server Error", with no detail', async () => {
    // The users table gone for a moment would be a 500 over REST: here the identity service fails the same way.
    const identities = app.strapi.plugin(PLUGIN).service('identities');
    const upsert = identities.upsert;
    identities.upsert = async () => {
      throw new Error('select * from up_users where secret internals');
    };
    try {
      const error = onlyError(await gqlLogin({ code: sim.issueCode(A.appId, 'fay') }));
      expect(error).toMatchObject({ message: 'Internal Server Error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(error)).not.toMatch(/secret internals/);
      // Logged for the operator, as REST's 500 is.
      expect(app.logs.text()).toMatch(/secret internals/);
    } finally {
      identities.upsert = upsert;
    }
  });
});

describe('mutation wechatBindPhone', () => {
  test('with the JWT: binds the number WeChat vouches for and answers it, as POST /phone does', async () => {
    const { jwt, user } = await loginAs('gus');
    const before = phoneCalls();
    const answer = await graphql(BIND_PHONE, { code: phoneCode(A.appId, 'gus') }, jwt);
    expect(answer.errors).toBeUndefined();
    const expected = sim.phoneNumberFor('gus');
    expect(answer.data!.wechatBindPhone).toEqual(expected);
    expect(await users().findOne({ where: { id: Number(user.id) } })).toMatchObject({ phoneNumber: expected.phoneNumber, phoneCountryCode: '86' });
    expect(phoneCalls()).toBe(before + 1);
  });

  test('without a JWT, or with the permission removed from the role: forbidden, WeChat not called, nothing stored', async () => {
    const { jwt, user } = await loginAs('hal');
    const before = phoneCalls();
    const anonymous = onlyError(await graphql(BIND_PHONE, { code: phoneCode(A.appId, 'hal') }));
    expect(anonymous.extensions).toMatchObject({ code: 'FORBIDDEN', error: { name: 'ForbiddenError' } });
    // A JWT that does not verify: Strapi refuses the whole POST /graphql before GraphQL runs, as for REST.
    const forged = responses.add(
      await request(app.server)
        .post('/graphql')
        .set('Authorization', `Bearer ${jwt.slice(0, -2)}xx`)
        .send({ query: BIND_PHONE, variables: { code: phoneCode(A.appId, 'hal') } })
    );
    expect({ status: forged.status, error: forged.body.error?.name }).toEqual({ status: 401, error: 'UnauthorizedError' });

    await setPermission(PHONE_ACTION, false);
    try {
      const denied = onlyError(await graphql(BIND_PHONE, { code: phoneCode(A.appId, 'hal') }, jwt));
      expect(denied.extensions).toMatchObject({ code: 'FORBIDDEN', error: { name: 'ForbiddenError' } });
      // Over REST too, for comparison.
      const rest = responses.add(
        await request(app.server)
          .post(`/api/${PLUGIN}/phone`)
          .set('Authorization', `Bearer ${jwt}`)
          .send({ code: phoneCode(A.appId, 'hal') })
      );
      expect(rest.status).toBe(403);
    } finally {
      await setPermission(PHONE_ACTION, true);
    }
    expect(phoneCalls()).toBe(before);
    expect(await users().findOne({ where: { id: Number(user.id) } })).toMatchObject({ phoneNumber: null });
    // Granted again: it works.
    expect((await graphql(BIND_PHONE, { code: phoneCode(A.appId, 'hal') }, jwt)).errors).toBeUndefined();
  });

  test.each([
    ['an empty code', { code: '' }],
    ['a code that is not hex', { code: 'zz not a code' }],
    ['a malformed appId', { code: 'a'.repeat(64), appId: 'nope' }],
    ['an unknown appId', { code: 'a'.repeat(64), appId: 'wx0000000000000099' }],
  ])('%s: the REST 400, the billed phone API never called', async (_label, args) => {
    const { jwt } = await loginAs('ida');
    const before = phoneCalls();
    const rest = responses.add(await request(app.server).post(`/api/${PLUGIN}/phone`).set('Authorization', `Bearer ${jwt}`).send(args));
    expect(rest.status).toBe(400);
    const error = onlyError(await graphql(BIND_PHONE, args, jwt));
    expect(error.extensions.error).toEqual(rest.body.error);
    expect(phoneCalls()).toBe(before);
  });

  test('no identity in that app: the REST 400 no_identity; WeChat failures: the REST status, one call each (a refused token: once more on a fresh one)', async () => {
    const { jwt } = await loginAs('jon', A.appId);
    const noIdentity = onlyError(await graphql(BIND_PHONE, { code: phoneCode(B.appId, 'jon'), appId: B.appId }, jwt));
    expect(noIdentity.extensions.error).toMatchObject({ status: 400, name: 'ValidationError', details: { reason: 'no_identity' } });
    for (const [fault, status, calls] of [
      ['err-1', 503, 1],
      ['err40001', 502, 2],
      ['err40029', 400, 1],
    ] as const) {
      const before = phoneCalls();
      const error = onlyError(await graphql(BIND_PHONE, { code: faultCode(fault) }, jwt));
      expect({ fault, status: error.extensions.error?.status, calls: phoneCalls() - before }).toEqual({ fault, status, calls });
    }
  });
});

describe("the plugin's content types are not in the schema (identities, access tokens, 0.0.5's credentials)", () => {
  const tokens: Record<'read-only' | 'full-access', string> = { 'read-only': '', 'full-access': '' };
  /** POST /graphql as the API token of `kind`, the raw answer (a query the schema does not have is a 400). */
  const asToken = async (kind: keyof typeof tokens, query: string) =>
    responses.add(await request(app.server).post('/graphql').set('Authorization', `Bearer ${tokens[kind]}`).send({ query }));

  beforeAll(async () => {
    const adminJwt = await registerFirstAdmin(app.server);
    tokens['read-only'] = await createApiToken(app.server, adminJwt, 'read-only');
    tokens['full-access'] = await createApiToken(app.server, adminJwt, 'full-access');
    // Identities and an access token to find, were they exposed.
    await loginAs('olga');
    await loginAs('olga', B.appId);
    await graphql(BIND_PHONE, { code: phoneCode(A.appId, 'olga') }, (await loginAs('olga')).jwt);
  });

  test.each(['read-only', 'full-access'] as const)(
    'introspected with a %s API token: no type, query or mutation generated for them; the plugin’s mutations are there',
    async (kind) => {
      const names = await schemaNames(app.server, tokens[kind]);
      expect(generatedForPlugin(names)).toEqual({ types: [], queries: [], mutations: [] });
      // The GraphQL plugin does generate them for other content types: users-permissions' users are there.
      expect(names.queries).toContain('usersPermissionsUsers');
      expect(names.mutations).toEqual(expect.arrayContaining(['createUsersPermissionsUser', 'wechatMiniProgramLogin', 'wechatBindPhone']));
    }
  );

  test.each([
    ['identities', '{ strapiWechatMiniprogramAuthIdentities { data { id attributes { openid } } } }', 'strapiWechatMiniprogramAuthIdentities'],
    ['one identity', '{ strapiWechatMiniprogramAuthIdentity(id: 1) { data { attributes { openid unionid } } } }', 'strapiWechatMiniprogramAuthIdentity'],
    ['access tokens', '{ strapiWechatMiniprogramAuthAccessTokens { data { attributes { appId } } } }', 'strapiWechatMiniprogramAuthAccessTokens'],
    ["0.0.5's credentials", '{ strapiWechatMiniprogramAuthWxCredential { data { attributes { app_id } } } }', 'strapiWechatMiniprogramAuthWxCredential'],
  ])('a read-only token asking for %s: an error, no data', async (_label, query, field) => {
    const res = await asToken('read-only', query);
    expect({ status: res.status, message: res.body.errors?.[0]?.message, data: res.body.data }).toEqual({
      status: 400,
      message: `Cannot query field "${field}" on type "Query".`,
      data: undefined,
    });
    expect(res.text).not.toContain(sim.openidFor(A.appId, 'olga'));
  });

  test('a full-access token cannot create or delete them: an error, nothing written', async () => {
    const identities = app.strapi.db.query(`plugin::${PLUGIN}.identity`);
    const before = await identities.findMany({ orderBy: { id: 'asc' } });
    expect(before.length).toBeGreaterThan(0);
    for (const [mutation, field] of [
      ['mutation { createStrapiWechatMiniprogramAuthIdentity { data { id } } }', 'createStrapiWechatMiniprogramAuthIdentity'],
      [`mutation { deleteStrapiWechatMiniprogramAuthIdentity(id: ${before[0].id}) { data { id } } }`, 'deleteStrapiWechatMiniprogramAuthIdentity'],
      ['mutation { deleteStrapiWechatMiniprogramAuthAccessToken(id: 1) { data { id } } }', 'deleteStrapiWechatMiniprogramAuthAccessToken'],
    ]) {
      const res = await asToken('full-access', mutation);
      expect({ status: res.status, message: res.body.errors?.[0]?.message }).toEqual({
        status: 400,
        message: `Cannot query field "${field}" on type "Mutation".`,
      });
    }
    expect(await identities.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });

  test('should a route ever expose them, the content-API sanitizer keeps no openid, unionid, session key, access token or AppSecret', async () => {
    const sanitized = async (name: string, row: Record<string, unknown>) =>
      Object.keys(
        (await sanitize.contentAPI.output(row, app.strapi.getModel(`plugin::${PLUGIN}.${name}`), { auth: undefined })) as Record<string, unknown>
      ).sort();
    const [identity] = await app.strapi.db.query(`plugin::${PLUGIN}.identity`).findMany({ limit: 1 });
    expect(identity).toMatchObject({ openid: expect.any(String), sessionKey: expect.any(String) });
    expect(await sanitized('identity', identity)).toEqual(['appId', 'createdAt', 'id', 'updatedAt']);
    const [token] = await app.strapi.db.query(`plugin::${PLUGIN}.access-token`).findMany({ limit: 1 });
    expect(token).toMatchObject({ accessToken: expect.any(String) });
    expect(await sanitized('access-token', token)).not.toContain('accessToken');
    expect(await sanitized('wx-credential', { id: 1, app_id: A.appId, app_secret: A.appSecret })).toEqual(['app_id', 'id']);
  });

  test('the plugin’s mutations still work beside the API tokens: a login, a phone bound with the JWT', async () => {
    const withToken = await asToken(
      'full-access',
      `mutation { wechatMiniProgramLogin(input: { code: "${sim.issueCode(A.appId, 'pia')}" }) { jwt user { id } } }`
    );
    expect(withToken.body.errors).toBeUndefined();
    const { jwt } = await loginAs('pia');
    const bound = await graphql(BIND_PHONE, { code: phoneCode(A.appId, 'pia') }, jwt);
    expect(bound.data!.wechatBindPhone).toEqual(sim.phoneNumberFor('pia'));
  });
});

describe('rate limit (its own app: ratelimit.max 4)', () => {
  beforeAll(async () => {
    earlierLogs.push(app.logs.text());
    await app.stop();
    app = await startTestApp({ name: 'graphql-ratelimit', graphql: true, pluginConfig: pluginConfig({ enabled: true, interval: { min: 5 }, max: 4 }) });
  });

  test('the GraphQL login spends the REST login budget per address, each mutation of a request counted; other operations are not limited', async () => {
    expectStatus(responses.add(await login(app.server, { code: sim.issueCode(A.appId, 'kim') })), 200);
    const first = await loginAs('kim');
    // Two logins in one request: two attempts.
    const two = await graphql(
      `mutation { a: wechatMiniProgramLogin(input: { code: "${sim.issueCode(A.appId, 'kim')}" }) { jwt } b: wechatMiniProgramLogin(input: { code: "${sim.issueCode(A.appId, 'lou')}" }) { jwt } }`
    );
    expect(two.errors).toBeUndefined();

    const users = await userCount();
    const calls = code2sessionCalls();
    const limited = onlyError(await gqlLogin({ code: sim.issueCode(A.appId, 'max') }));
    expect(limited.extensions).toMatchObject({ code: 'STRAPI_RATE_LIMIT_ERROR', error: { status: 429, name: 'RateLimitError' } });
    const rest = responses.add(await login(app.server, { code: sim.issueCode(A.appId, 'max') }));
    expect(rest.status).toBe(429);
    expect(limited.extensions.error).toEqual(rest.body.error);
    expect({ users: await userCount(), calls: code2sessionCalls() }).toEqual({ users, calls });

    const me = await graphql(
      `
        {
          me {
            id
          }
        }
      `,
      {},
      first.jwt
    );
    expect(me.data!.me).toEqual({ id: first.user.id });
  });
});
