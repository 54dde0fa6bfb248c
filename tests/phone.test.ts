/**
 * Phone numbers (docs/design/server-apis.md, "Routes" and "Phone number"), against a real Strapi 4.26
 * and the WeChat simulator: POST /api/strapi-wechat-miniprogram-auth/phone, `phoneCode` at login,
 * the content-API login URL, the phone.bind permission in Users & Permissions, and where the number
 * may and may not be seen or written.
 */
import request from 'supertest';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { codeFor, expectNoSecrets, expectStrapiError, LOGIN_PATH, login, registerLocalUser, ResponseLog } from './helpers/login';
import { identitiesOf, expectStatus } from './helpers/apps';
import { ADMIN_PASSWORD, adminLogin, registerFirstAdmin } from './helpers/admin';
import { openEntry, saveEntry } from './helpers/content-manager';
import { DEMO_APP, WeChatSimulator, type SimulatorStats } from '../simulator/wechat-simulator';

const USER_UID = 'plugin::users-permissions.user';
const ROLE_UID = 'plugin::users-permissions.role';
const PERMISSION_UID = 'plugin::users-permissions.permission';
const PLUGIN = 'strapi-wechat-miniprogram-auth';
const PHONE_ACTION = `plugin::${PLUGIN}.phone.bind`;
const PHONE_PATH = `/api/${PLUGIN}/phone`;
const API_LOGIN_PATH = `/api/${PLUGIN}/login`;

// A and B are bound to one Open Platform account (one user per person across them); C is not.
const A = { ...DEMO_APP, openPlatformId: 'op-phone' };
const B = { appId: 'wx00000000000000b1', appSecret: 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1', openPlatformId: 'op-phone' };
const C = { appId: 'wx00000000000000c2', appSecret: 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2' };
const APPS = [A, B, C];

const sim = new WeChatSimulator({ apps: APPS });
const responses = new ResponseLog();
let apiBaseUrl: string;
let app: TestApp;
/** Every number the simulator handed out in this file: none may reach a log line. */
const numbersHandedOut = new Set<string>();
/** The logs of earlier boots (the app restarts below). */
const earlierLogs: string[] = [];
const ADMIN_EMAIL = 'phone-admin@example.com';
let adminToken: string | null = null;
/** The JWT of the first admin (registered on first use). */
const admin = async () => (adminToken ??= await registerFirstAdmin(app.server, ADMIN_EMAIL));

// A short deadline, so that a getuserphonenumber that never answers times out quickly.
const pluginConfig = () => ({ apiBaseUrl, timeout: 2000, apps: APPS.map(({ appId, appSecret }) => ({ appId, appSecret })) });
const boot = (keepDatabase = false) => startTestApp({ name: 'phone', pluginConfig: pluginConfig(), keepDatabase });

beforeAll(async () => {
  apiBaseUrl = await sim.start();
  app = await boot();
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

// ---------------------------------------------------------------------------------------------

const users = () => app.strapi.db.query(USER_UID);
const PHONE_FIELDS = ['phoneNumber', 'purePhoneNumber', 'phoneCountryCode', 'phoneVerifiedAt'];

async function storedPhone(userId: number): Promise<Record<string, Untyped>> {
  const row = await users().findOne({ where: { id: userId }, select: PHONE_FIELDS });
  return Object.fromEntries(PHONE_FIELDS.map((f) => [f, row?.[f] ?? null]));
}

const NO_PHONE = { phoneNumber: null, purePhoneNumber: null, phoneCountryCode: null, phoneVerifiedAt: null };

/** A phone code the simulator ties to `user` in `appId` (single-use). */
function phoneCode(appId: string, user: string, phone?: string | { purePhoneNumber: string; countryCode: string }): string {
  const numbers =
    typeof phone === 'string'
      ? [phone]
      : phone
        ? [phone.purePhoneNumber, `+${phone.countryCode}${phone.purePhoneNumber}`]
        : [sim.phoneNumberFor(user).phoneNumber];
  for (const n of numbers) numbersHandedOut.add(n);
  return sim.issuePhoneCode(appId, user, phone);
}

async function wechatLogin(user: string, appId: string = A.appId, extra: Record<string, unknown> = {}) {
  const res = responses.add(await login(app.server, { code: sim.issueCode(appId, user), appId, ...extra }));
  expectStatus(res, 200);
  return res.body as { token: string; user: { id: number; openid: string }; phone?: Record<string, unknown> };
}

function bindPhone(token: string | null, body: unknown) {
  const req = request(app.server).post(PHONE_PATH);
  if (token) req.set('Authorization', `Bearer ${token}`);
  return req.send(body as object).then((res) => responses.add(res));
}

const stats = (): SimulatorStats => sim.getStats();
/** Requests WeChat received, all APIs (a validation failure must leave it unchanged). */
const wechatRequests = () => Object.values(stats().totals).reduce((a, b) => a + b, 0);
const phoneRequests = () => stats().totals.phone;
const billed = (appId: string) => stats().phoneBilled[appId] ?? 0;

const localUser = (username: string) => registerLocalUser(app.server, username, responses);

async function grant(action: string, roleType = 'authenticated') {
  const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: roleType } });
  await app.strapi.db.query(PERMISSION_UID).create({ data: { action, role: role.id } });
}

async function permissionRows(action: string) {
  const rows = await app.strapi.db.query(PERMISSION_UID).findMany({ where: { action }, populate: ['role'] });
  return rows.map((r: Untyped) => r.role?.type).sort();
}

// ---------------------------------------------------------------------------------------------

describe('POST /api/strapi-wechat-miniprogram-auth/phone', () => {
  test('binds the number WeChat vouches for and answers it; the user keeps it, with the time of the check', async () => {
    const alice = await wechatLogin('alice');
    const before = { phone: phoneRequests(), billed: billed(A.appId) };
    const res = await bindPhone(alice.token, { code: phoneCode(A.appId, 'alice') });
    expectStatus(res, 200);
    const expected = sim.phoneNumberFor('alice');
    expect(res.body).toEqual({ phoneNumber: expected.phoneNumber, purePhoneNumber: expected.purePhoneNumber, countryCode: '86' });
    const stored = await storedPhone(alice.user.id);
    expect(stored).toMatchObject({ phoneNumber: expected.phoneNumber, purePhoneNumber: expected.purePhoneNumber, phoneCountryCode: '86' });
    expect(Math.abs(new Date(stored.phoneVerifiedAt).getTime() - Date.now())).toBeLessThan(60_000);
    expect({ phone: phoneRequests(), billed: billed(A.appId) }).toEqual({ phone: before.phone + 1, billed: before.billed + 1 });
  });

  test('a number outside mainland China keeps its country code; a new verification replaces the number', async () => {
    const bob = await wechatLogin('bob');
    expectStatus(await bindPhone(bob.token, { code: phoneCode(A.appId, 'bob') }), 200);
    const res = await bindPhone(bob.token, { code: phoneCode(A.appId, 'bob', { purePhoneNumber: '2025550143', countryCode: '1' }) });
    expectStatus(res, 200);
    expect(res.body).toEqual({ phoneNumber: '+12025550143', purePhoneNumber: '2025550143', countryCode: '1' });
    expect(await storedPhone(bob.user.id)).toMatchObject({ phoneNumber: '+12025550143', purePhoneNumber: '2025550143', phoneCountryCode: '1' });
  });

  test('appId picks the identity whose openid WeChat checks the code against', async () => {
    // cora logs in from A, then from B: one user (same unionid), an identity in each app.
    const fromA = await wechatLogin('cora', A.appId);
    const fromB = await wechatLogin('cora', B.appId);
    expect(fromB.user.id).toBe(fromA.user.id);
    const billedB = billed(B.appId);
    const res = await bindPhone(fromA.token, { code: phoneCode(B.appId, 'cora'), appId: B.appId });
    expectStatus(res, 200);
    expect(res.body.phoneNumber).toBe(sim.phoneNumberFor('cora').phoneNumber);
    expect(billed(B.appId)).toBe(billedB + 1);
  });

  test('an account with no identity in that app is asked to log in from it first; WeChat is not called', async () => {
    const dave = await wechatLogin('dave', A.appId);
    const local = await localUser('localphone');
    const before = wechatRequests();
    const otherApp = await bindPhone(dave.token, { code: phoneCode(C.appId, 'dave'), appId: C.appId });
    expectStrapiError(otherApp, 400);
    expect(otherApp.body.error.details).toEqual({ appId: C.appId, reason: 'no_identity' });
    expect(otherApp.body.error.message).toMatch(new RegExp(`Log in with WeChat from the mini program ${C.appId} first`));
    // A users-permissions account that never logged in with WeChat: no identity in the default app.
    const noWeChat = await bindPhone(local.jwt, { code: phoneCode(A.appId, 'localphone') });
    expectStrapiError(noWeChat, 400);
    expect(noWeChat.body.error.details).toMatchObject({ reason: 'no_identity' });
    expect(wechatRequests()).toBe(before);
    expect(await storedPhone(dave.user.id)).toEqual(NO_PHONE);
    expect(await storedPhone(local.user.id)).toEqual(NO_PHONE);
  });

  test("another user's phone code is refused (WeChat checks it against this user's openid); nothing is stored", async () => {
    const eve = await wechatLogin('eve');
    const frank = await wechatLogin('frank');
    const franksCode = phoneCode(A.appId, 'frank');
    const billedBefore = billed(A.appId);
    const res = await bindPhone(eve.token, { code: franksCode });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ reason: expect.any(String) });
    expect(await storedPhone(eve.user.id)).toEqual(NO_PHONE);
    expect(billed(A.appId)).toBe(billedBefore);
    // The code still belongs to frank.
    expectStatus(await bindPhone(frank.token, { code: franksCode }), 200);
    expect((await storedPhone(frank.user.id)).phoneNumber).toBe(sim.phoneNumberFor('frank').phoneNumber);
  });

  test('an invalid or used code is a 400 asking for a new code; nothing is stored, a number already there is kept', async () => {
    const gina = await wechatLogin('gina');
    const unknown = await bindPhone(gina.token, { code: 'not-a-code-wechat-issued' });
    expectStrapiError(unknown, 400);
    expect(unknown.body.error.details).toMatchObject({ reason: 'invalid_code' });
    expect(unknown.body.error.message).toMatch(/again/);
    expect(await storedPhone(gina.user.id)).toEqual(NO_PHONE);

    const code = phoneCode(A.appId, 'gina');
    expectStatus(await bindPhone(gina.token, { code }), 200);
    const kept = await storedPhone(gina.user.id);
    const used = await bindPhone(gina.token, { code });
    expectStrapiError(used, 400);
    expect(used.body.error.details).toMatchObject({ reason: 'invalid_code' });
    expect(used.body.error.message).toMatch(/again/);
    expect(await storedPhone(gina.user.id)).toEqual(kept);
  });

  test('a failing WeChat call is made once, never retried (billed API), and stores nothing', async () => {
    const hugo = await wechatLogin('hugo');
    for (const [fault, status] of [
      ['err-1', 503],
      ['err45011', 429],
      ['http500', 502],
      ['reset', 502],
      // No answer within the plugin's timeout: WeChat may have billed the number all the same.
      ['hang', 504],
    ] as const) {
      const before = { calls: phoneRequests(), billed: billed(A.appId) };
      const res = await bindPhone(hugo.token, { code: `fault_${fault}_${Date.now().toString(36)}` });
      expectStrapiError(res, status);
      expect({ fault, calls: phoneRequests() - before.calls }).toEqual({ fault, calls: 1 });
      expect(billed(A.appId)).toBe(before.billed);
    }
    expect(await storedPhone(hugo.user.id)).toEqual(NO_PHONE);
  });

  test('the token refused between two bindings (replaced or expired elsewhere): the call is made again on the new token, answers the number, billed once', async () => {
    const { token, user } = await wechatLogin('henri');
    expectStatus(await bindPhone(token, { code: phoneCode(A.appId, 'henri') }), 200);
    const refusals: Array<[string, () => string | null]> = [
      ['40001', () => sim.invalidateToken(A.appId, { stableReturnsNew: true })],
      ['42001', () => sim.expireToken(A.appId)],
    ];
    for (const [errcode, refuse] of refusals) {
      expect(refuse()).toBeTruthy();
      const before = { calls: phoneRequests(), billed: billed(A.appId) };
      const number = { purePhoneNumber: `1370000${errcode.slice(1)}`, countryCode: '86' };
      const res = await bindPhone(token, { code: phoneCode(A.appId, 'henri', number) });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ phoneNumber: number.purePhoneNumber, purePhoneNumber: number.purePhoneNumber });
      // The refused call (not billed: WeChat did nothing), then the one on the new token.
      expect({ errcode, calls: phoneRequests() - before.calls, billed: billed(A.appId) - before.billed }).toEqual({ errcode, calls: 2, billed: 1 });
      expect((await storedPhone(user.id)).purePhoneNumber).toBe(number.purePhoneNumber);
    }
  });

  test('a token refused again after the retry: 502, WeChat asked twice, nothing billed or stored', async () => {
    const { token, user } = await wechatLogin('hilda');
    const before = { calls: phoneRequests(), billed: billed(A.appId) };
    // This code answers 40001 whatever the token: the retry on a fresh token is refused too, and not repeated again.
    const res = await bindPhone(token, { code: `fault_err40001_${Date.now().toString(36)}` });
    expectStrapiError(res, 502);
    expect(res.body.error.details).toEqual({ errcode: 40001 });
    expect({ calls: phoneRequests() - before.calls, billed: billed(A.appId) - before.billed }).toEqual({ calls: 2, billed: 0 });
    expect(await storedPhone(user.id)).toEqual(NO_PHONE);
  });

  test.each([
    ['no body', undefined],
    ['an array', [{ code: 'abc' }]],
    ['no code', {}],
    ['an empty code', { code: '' }],
    ['a code that is not a string', { code: 12345 }],
    ['a code with spaces', { code: 'abc def' }],
    ['a code with non-ASCII characters', { code: 'abcé' }],
    ['a code too long', { code: 'x'.repeat(129) }],
    ['a malformed appId', { code: 'abcdef', appId: 'wx123' }],
    ['an appId that is not a string', { code: 'abcdef', appId: 42 }],
    ['an appId not configured here', { code: 'abcdef', appId: 'wx9999999999999999' }],
    ['an unknown field', { code: 'abcdef', encryptedData: 'x' }],
  ])('%s: a 400 in Strapi format, WeChat not called', async (_label, body) => {
    const { token } = await wechatLogin('ivan');
    const before = wechatRequests();
    const res = await bindPhone(token, body);
    expectStrapiError(res, 400);
    expect(wechatRequests()).toBe(before);
  });

  test('needs a users-permissions JWT: none → 403, a bad one → 401; WeChat not called', async () => {
    const before = wechatRequests();
    expectStrapiError(await bindPhone(null, { code: 'abcdef' }), 403);
    expectStrapiError(await bindPhone('not.a.jwt', { code: 'abcdef' }), 401);
    const { token } = await wechatLogin('jack');
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    expectStrapiError(await bindPhone(forged, { code: 'abcdef' }), 401);
    expect(wechatRequests()).toBe(before + 1); // jack's login only
  });

  test('a blocked user is refused by users-permissions before anything happens', async () => {
    const kate = await wechatLogin('kate');
    await users().update({ where: { id: kate.user.id }, data: { blocked: true } });
    const before = wechatRequests();
    const res = await bindPhone(kate.token, { code: phoneCode(A.appId, 'kate') });
    expect(res.status).toBeGreaterThanOrEqual(401);
    expect(res.status).toBeLessThanOrEqual(403);
    expect(wechatRequests()).toBe(before);
  });
});

describe('phoneCode at login', () => {
  test('a first login with phoneCode creates the user and binds the number in the same request', async () => {
    const res = responses.add(await login(app.server, { code: codeFor('liam'), phoneCode: phoneCode(A.appId, 'liam') }));
    expectStatus(res, 200);
    expect(Object.keys(res.body).sort()).toEqual(['phone', 'token', 'user']);
    const expected = sim.phoneNumberFor('liam');
    expect(res.body.phone).toEqual({ bound: true, phoneNumber: expected.phoneNumber, purePhoneNumber: expected.purePhoneNumber, countryCode: '86' });
    expect(res.body.user).not.toHaveProperty('phoneNumber');
    expect(await storedPhone(res.body.user.id)).toMatchObject({ phoneNumber: expected.phoneNumber, phoneCountryCode: '86' });
    const me = await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
  });

  test('a phoneCode that fails never fails the login: phone says why, nothing is stored', async () => {
    const bad = responses.add(await login(app.server, { code: codeFor('mia'), phoneCode: 'phone-code-wechat-never-issued' }));
    expectStatus(bad, 200);
    expect(bad.body.token).toEqual(expect.any(String));
    expect(bad.body.phone).toEqual({ bound: false, reason: 'invalid_code', message: expect.stringMatching(/again/) });
    expect(await storedPhone(bad.body.user.id)).toEqual(NO_PHONE);

    // Someone else's code: WeChat's openid check refuses it.
    const foreign = responses.add(await login(app.server, { code: codeFor('mia'), phoneCode: phoneCode(A.appId, 'noah') }));
    expectStatus(foreign, 200);
    expect(foreign.body.phone).toMatchObject({ bound: false, reason: expect.any(String), message: expect.any(String) });
    expect(await storedPhone(foreign.body.user.id)).toEqual(NO_PHONE);

    // WeChat busy: still logged in.
    const busy = responses.add(await login(app.server, { code: codeFor('mia'), phoneCode: `fault_err-1_${Date.now().toString(36)}` }));
    expectStatus(busy, 200);
    expect(busy.body.phone).toMatchObject({ bound: false, reason: expect.any(String), message: expect.stringMatching(/busy/i) });
    expect(await storedPhone(busy.body.user.id)).toEqual(NO_PHONE);
  });

  test.each([
    ['empty', ''],
    ['not a string', 123456],
    ['with spaces', 'abc def'],
    ['too long', 'p'.repeat(129)],
    ['null', null],
  ])('a malformed phoneCode (%s) is a 400 before anything: no WeChat call, no user', async (_label, phone) => {
    const before = { wechat: wechatRequests(), users: await users().count() };
    const res = responses.add(await login(app.server, { code: codeFor('olga'), phoneCode: phone }));
    expectStrapiError(res, 400);
    expect(JSON.stringify(res.body.error.details)).toContain('phoneCode');
    expect({ wechat: wechatRequests(), users: await users().count() }).toEqual(before);
  });

  test('without phoneCode the answer is the 1.0 one: { token, user }, no phone key', async () => {
    const res = responses.add(await login(app.server, { code: codeFor('paul') }));
    expectStatus(res, 200);
    expect(Object.keys(res.body).sort()).toEqual(['token', 'user']);
  });
});

describe('two accounts verifying the same number', () => {
  test('both keep it; nothing is merged', async () => {
    // quinn uses A and C, which are not bound to one Open Platform account: two accounts, one person, one number.
    const inA = await wechatLogin('quinn', A.appId);
    const inC = await wechatLogin('quinn', C.appId);
    expect(inC.user.id).not.toBe(inA.user.id);
    const usersBefore = await users().count();
    expectStatus(await bindPhone(inA.token, { code: phoneCode(A.appId, 'quinn') }), 200);
    const atLogin = await wechatLogin('quinn', C.appId, { phoneCode: phoneCode(C.appId, 'quinn') });
    expect(atLogin.user.id).toBe(inC.user.id);
    expect(atLogin.phone).toMatchObject({ bound: true });

    const number = sim.phoneNumberFor('quinn').phoneNumber;
    expect((await storedPhone(inA.user.id)).phoneNumber).toBe(number);
    expect((await storedPhone(inC.user.id)).phoneNumber).toBe(number);
    expect(await users().count()).toBe(usersBefore);
    expect(await identitiesOf(app.strapi, inA.user.id)).toEqual([{ appId: A.appId, openid: sim.openidFor(A.appId, 'quinn'), unionid: expect.any(String) }]);
    expect(await identitiesOf(app.strapi, inC.user.id)).toEqual([{ appId: C.appId, openid: sim.openidFor(C.appId, 'quinn'), unionid: null }]);
    // Each logs in to its own account, as before.
    expect((await wechatLogin('quinn', A.appId)).user.id).toBe(inA.user.id);
    expect((await wechatLogin('quinn', C.appId)).user.id).toBe(inC.user.id);
  });
});

describe('the content-API login URL', () => {
  test('POST /api/strapi-wechat-miniprogram-auth/login answers as the original URL does, for the same person', async () => {
    const original = responses.add(await login(app.server, { code: codeFor('rosa'), userInfo: { nickName: 'Rosa' } }));
    const api = responses.add(
      await request(app.server)
        .post(API_LOGIN_PATH)
        .send({ code: codeFor('rosa'), userInfo: { nickName: 'Rosa' } })
    );
    expectStatus(original, 200);
    expectStatus(api, 200);
    expect(Object.keys(api.body).sort()).toEqual(['token', 'user']);
    const { updatedAt: _a, ...originalUser } = original.body.user;
    const { updatedAt: _b, ...apiUser } = api.body.user;
    expect(apiUser).toEqual(originalUser);
    const me = await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${api.body.token}`);
    expect(me.body.id).toBe(original.body.user.id);
  });

  test('with phoneCode too', async () => {
    const res = responses.add(
      await request(app.server)
        .post(API_LOGIN_PATH)
        .send({ code: codeFor('sami'), phoneCode: phoneCode(A.appId, 'sami') })
    );
    expectStatus(res, 200);
    expect(res.body.phone).toMatchObject({ bound: true, phoneNumber: sim.phoneNumberFor('sami').phoneNumber });
  });

  test('errors are the same at both URLs', async () => {
    for (const body of [{}, { code: 'a b' }, { code: codeFor('tom'), appId: 'wx9999999999999999' }, { code: 'not-issued-code' }]) {
      const original = await login(app.server, body);
      const api = await request(app.server).post(API_LOGIN_PATH).send(body);
      expect({ status: api.status, body: api.body }).toEqual({ status: original.status, body: original.body });
      expect(api.status).toBe(400);
    }
  });

  test('one rate-limit budget per client address for both URLs', async () => {
    const first = await login(app.server, { code: codeFor('uma') });
    const second = await request(app.server)
      .post(API_LOGIN_PATH)
      .send({ code: codeFor('uma') });
    const third = await login(app.server, { code: codeFor('uma') });
    const remaining = [first, second, third].map((r) => Number(r.headers['x-ratelimit-remaining']));
    expect(remaining).toEqual([remaining[0], remaining[0] - 1, remaining[0] - 2]);
    expect(second.headers['x-ratelimit-limit']).toBe(first.headers['x-ratelimit-limit']);
  });

  test('needs no permission in Users & Permissions (auth: false), and the original URL is unchanged', async () => {
    expect(await permissionRows(`plugin::${PLUGIN}.auth.login`)).toEqual([]);
    expect(LOGIN_PATH).toBe(`/${PLUGIN}/login`);
    expectStatus(
      await request(app.server)
        .post(API_LOGIN_PATH)
        .send({ code: codeFor('vera') }),
      200
    );
  });
});

describe('where the number can be seen and written', () => {
  let walt: { token: string; user: { id: number } };
  const number = () => sim.phoneNumberFor('walt');

  beforeAll(async () => {
    walt = await wechatLogin('walt');
    expectStatus(await bindPhone(walt.token, { code: phoneCode(A.appId, 'walt') }), 200);
    await grant('plugin::users-permissions.user.find');
    await grant('plugin::users-permissions.user.findOne');
    await grant('plugin::users-permissions.user.update');
  });

  test('not in /api/users/me, /api/users or /api/users/:id', async () => {
    const auth = { Authorization: `Bearer ${walt.token}` };
    const me = await request(app.server).get('/api/users/me').set(auth);
    const list = await request(app.server).get('/api/users').set(auth);
    const one = await request(app.server).get(`/api/users/${walt.user.id}`).set(auth);
    for (const res of [me, list, one]) {
      expectStatus(res, 200);
      for (const field of PHONE_FIELDS) expect(res.text).not.toContain(`"${field}"`);
      expect(res.text).not.toContain(number().purePhoneNumber);
    }
  });

  test('register cannot set it, even where register.allowedFields lists the phone fields', async () => {
    const register = (username: string) =>
      request(app.server)
        .post('/api/auth/local/register')
        .send({
          username,
          email: `${username}@example.com`,
          password: 'Password123!',
          phoneNumber: '13900000000',
          purePhoneNumber: '13900000000',
          phoneCountryCode: '86',
          phoneVerifiedAt: new Date(),
        });
    expectStatus(await register('phonesquatter'), 200);
    // An app that lets register take these fields: users-permissions passes them on, the identity guard drops them.
    const key = 'plugin.users-permissions.register.allowedFields';
    const before: unknown = app.strapi.config.get(key);
    app.strapi.config.set(key, PHONE_FIELDS);
    try {
      expectStatus(await register('phonesquatter2'), 200);
    } finally {
      app.strapi.config.set(key, before);
    }
    for (const username of ['phonesquatter', 'phonesquatter2']) {
      const created = await users().findOne({ where: { username } });
      expect(await storedPhone(created.id)).toEqual(NO_PHONE);
    }
  });

  test('PUT /api/users/:id cannot set or change it', async () => {
    const local = await localUser('phoneputter');
    const own = await request(app.server)
      .put(`/api/users/${local.user.id}`)
      .set('Authorization', `Bearer ${local.jwt}`)
      .send({ username: 'phoneputter2', phoneNumber: '13900000001', purePhoneNumber: '13900000001', phoneCountryCode: '86', phoneVerifiedAt: new Date() });
    expectStatus(own, 200);
    expect(await users().findOne({ where: { id: local.user.id } })).toMatchObject({ username: 'phoneputter2', ...NO_PHONE });

    const before = await storedPhone(walt.user.id);
    const change = await request(app.server)
      .put(`/api/users/${walt.user.id}`)
      .set('Authorization', `Bearer ${walt.token}`)
      .send({ phoneNumber: '13900000002', purePhoneNumber: '13900000002', phoneVerifiedAt: null });
    expectStatus(change, 200);
    expect(await storedPhone(walt.user.id)).toEqual(before);
  });

  test('shown in the Content Manager, where saving the user keeps it as it is', async () => {
    const opened = await openEntry(app.server, await admin(), USER_UID, walt.user.id);
    expectStatus(opened, 200);
    expect(opened.body).toMatchObject({ phoneNumber: number().phoneNumber, purePhoneNumber: number().purePhoneNumber, phoneCountryCode: '86' });
    expect(opened.body.phoneVerifiedAt).toEqual(expect.any(String));
    const before = await storedPhone(walt.user.id);
    const saved = await saveEntry(app.strapi, app.server, await admin(), USER_UID, walt.user.id, { phoneNumber: '13900000003', confirmed: true });
    expectStatus(saved, 200);
    expect(await storedPhone(walt.user.id)).toEqual(before);
  });
});

describe('the phone.bind permission in Users & Permissions', () => {
  async function rolePermissions(roleId: number) {
    const res = await request(app.server)
      .get(`/users-permissions/roles/${roleId}`)
      .set('Authorization', `Bearer ${await admin()}`);
    expectStatus(res, 200);
    return res.body.role as { name: string; description: string; type: string; permissions: Record<string, Untyped> };
  }

  async function restart() {
    earlierLogs.push(app.logs.text());
    await app.stop();
    app = await boot(true);
    adminToken = await adminLogin(app.server, ADMIN_EMAIL, ADMIN_PASSWORD);
  }

  test('granted to Authenticated at the first start (only there), beside users-permissions’ own defaults', async () => {
    expect(await permissionRows(PHONE_ACTION)).toEqual(['authenticated']);
    expect(await permissionRows('plugin::users-permissions.user.me')).toEqual(['authenticated']);
    expect(await permissionRows('plugin::users-permissions.auth.register')).toEqual(['public']);
  });

  test('the roles page lists the plugin’s content-API actions (login, phone, decrypt, profile, QR login), not its admin settings', async () => {
    const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
    const { permissions } = await rolePermissions(role.id);
    const granted = { enabled: true, policy: '' };
    const notGranted = { enabled: false, policy: '' };
    expect(permissions[`plugin::${PLUGIN}`]).toEqual({
      controllers: {
        auth: { login: notGranted },
        // The browser logins: public (auth: false), like the login; ticking them changes nothing.
        oauth: { authorize: notGranted, callback: notGranted, exchange: notGranted },
        encryptedData: { decrypt: granted },
        phone: { bind: granted },
        profile: { find: granted, update: granted },
        // The web page's side of a QR login is public (like the login); the mini program's side needs the user.
        qrLogin: { create: notGranted, status: notGranted, scan: granted, confirm: granted, cancel: granted },
      },
    });
  });

  test('removed by an admin: refused (403), and still removed after a restart', async () => {
    const { token } = await wechatLogin('xena');
    const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
    const current = await rolePermissions(role.id);
    current.permissions[`plugin::${PLUGIN}`].controllers.phone.bind.enabled = false;
    const saved = await request(app.server)
      .put(`/users-permissions/roles/${role.id}`)
      .set('Authorization', `Bearer ${await admin()}`)
      .send({ name: current.name, description: current.description, type: current.type, permissions: current.permissions });
    expectStatus(saved, 200);
    expect(await permissionRows(PHONE_ACTION)).toEqual([]);
    const before = wechatRequests();
    expectStrapiError(await bindPhone(token, { code: phoneCode(A.appId, 'xena') }), 403);

    await restart();
    expect(await permissionRows(PHONE_ACTION)).toEqual([]);
    expectStrapiError(await bindPhone(token, { code: phoneCode(A.appId, 'xena') }), 403);
    expect(wechatRequests()).toBe(before);
  });

  test('a database from before this version (no record of the grant) gets it at its first start', async () => {
    await app.strapi.store({ type: 'plugin', name: PLUGIN }).delete({ key: 'content-api-permissions' });
    await restart();
    expect(await permissionRows(PHONE_ACTION)).toEqual(['authenticated']);
    const { token } = await wechatLogin('yuri');
    expectStatus(await bindPhone(token, { code: phoneCode(A.appId, 'yuri') }), 200);
  });
});

describe('logs and responses', () => {
  test('no log line carries a phone number', () => {
    const logs = [...earlierLogs, app.logs.text()].join('\n');
    expect(numbersHandedOut.size).toBeGreaterThan(10);
    const found = [...numbersHandedOut].filter((n) => logs.includes(n));
    expect(found).toEqual([]);
  });

  test('no AppSecret, access token or session key in any response or log line', () => {
    const secrets = [...APPS.map((a) => a.appSecret), ...APPS.map((a) => sim.getAccessToken(a.appId)), ...sim.issuedSessionKeys];
    expectNoSecrets([...earlierLogs, app.logs.text(), responses.text()].join('\n'), secrets);
  });
});

describe('when config/plugins lists this plugin before users-permissions (it then starts first)', () => {
  test("a new database still gets users-permissions' default permissions, and phone.bind", async () => {
    await app.stop();
    const config = {
      [PLUGIN]: { enabled: true, config: pluginConfig() },
      'users-permissions': { config: { jwtSecret: 'test-users-permissions-jwt-secret' } },
    };
    app = await startTestApp({ name: 'phone-order', files: { 'config/plugins.js': `module.exports = () => (${JSON.stringify(config)});\n` } });
    const order = Object.keys(app.strapi.plugins);
    expect(order.indexOf(PLUGIN)).toBeLessThan(order.indexOf('users-permissions'));
    expect(await permissionRows(PHONE_ACTION)).toEqual(['authenticated']);
    expect(await permissionRows('plugin::users-permissions.user.me')).toEqual(['authenticated']);
    expect(await permissionRows('plugin::users-permissions.auth.register')).toEqual(['public']);
    const { token } = await wechatLogin('zoe');
    expectStatus(await bindPhone(token, { code: phoneCode(A.appId, 'zoe') }), 200);
  });
});
