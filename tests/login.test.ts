/**
 * POST /strapi-wechat-miniprogram-auth/login against a real Strapi 4.26 and the WeChat simulator.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startTestApp, setAdvancedSettings, TestApp, type Untyped } from './helpers/test-app';
import { openSealed } from './helpers/app-keys';
import { countIdentities, userByOpenid as storedUserByOpenid } from './helpers/identities';
import { codeFor, expectNoSecrets, expectStrapiError, faultCode, login, ResponseLog } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const USER_UID = 'plugin::users-permissions.user';
const APP = { ...DEMO_APP, openPlatformId: 'open-platform-test' };
const sim = new WeChatSimulator({ apps: [APP] });
const responses = new ResponseLog();
let app: TestApp;

const users = () => app.strapi.db.query(USER_UID);
const countUsers = () => users().count();
const userByOpenid = async (openid: string) => (await storedUserByOpenid(app.strapi, openid)) as Record<string, Untyped>;
const post = async (body: unknown) => responses.add(await login(app.server, body));

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  // No credentials in config: they come from the plugin store, as the admin panel writes them.
  // credentialsCacheTtl 0: these tests write the plugin store directly and expect the next login to see it.
  app = await startTestApp({ name: 'login', pluginConfig: { apiBaseUrl, timeout: 1500, credentialsCacheTtl: 0 } });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

describe('before the plugin is configured', () => {
  test('a login is refused with 503 naming what is missing, and nothing is created', async () => {
    const res = await post({ code: codeFor('early') });
    expectStrapiError(res, 503);
    expect(res.body.error.message).toMatch(/AppID and AppSecret missing/);
    expect(res.body.error.details).toEqual({ missing: ['AppID', 'AppSecret'] });
    expect(await countUsers()).toBe(0);
  });

  test('with only the AppID stored, the message names the AppSecret', async () => {
    await app.strapi.store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' }).set({ key: 'settings', value: { appId: APP.appId } });
    const res = await post({ code: codeFor('early') });
    expectStrapiError(res, 503);
    expect(res.body.error.details).toEqual({ missing: ['AppSecret'], appId: APP.appId });
  });

  test('credentials saved in the plugin store are used by the very next login', async () => {
    await app.strapi
      .store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' })
      .set({ key: 'settings', value: { appId: APP.appId, appSecret: APP.appSecret } });
    const res = await post({ code: codeFor('storeuser') });
    expect(res.status).toBe(200);
  });
});

describe('first and later logins', () => {
  const userInfo = {
    nickName: '小明',
    avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/abc/132',
    gender: 1,
    language: 'zh_CN',
    city: 'Shenzhen',
    province: 'Guangdong',
    country: 'China',
  };

  test('the first login creates a complete users-permissions user and returns a JWT that works on Strapi APIs', async () => {
    const before = await countUsers();
    const res = await post({ code: codeFor('alice'), userInfo });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['token', 'user']);
    const openid = sim.openidFor(APP.appId, 'alice');
    expect(res.body.user).toMatchObject({
      openid,
      username: `wechat_${openid}`,
      email: `${openid.toLowerCase()}@wechat.invalid`,
      provider: 'wechat-miniprogram',
      confirmed: true,
      blocked: false,
      wechatUserInfo: userInfo,
    });
    expect(await countUsers()).toBe(before + 1);

    const stored = await userByOpenid(openid);
    expect(stored.role.type).toBe('authenticated');
    expect(stored.unionid).toBe(sim.unionidFor(APP.openPlatformId, 'alice'));
    expect(openSealed(stored.identity.sessionKey)).toBe(sim.issuedSessionKeys[sim.issuedSessionKeys.length - 1]);
    expect(stored.password).toBeNull();

    const me = responses.add(await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${res.body.token}`));
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
  });

  test('the token is byte for byte the one users-permissions issues for that user', async () => {
    const res = await post({ code: codeFor('alice') });
    expect(res.status).toBe(200);
    const { id, iat } = jwt.decode(res.body.token) as { id: number; iat: number };
    expect(id).toBe(res.body.user.id);
    const usersPermissions = app.strapi.plugin('users-permissions').service('jwt');
    // Same payload, issued at the same second: users-permissions' own token must be identical.
    expect(usersPermissions.issue({ id, iat })).toBe(res.body.token);
    expect(await usersPermissions.verify(res.body.token)).toMatchObject({ id });
  });

  test('the user is sanitized like users-permissions does it: no password, tokens or session key', async () => {
    const res = await post({ code: codeFor('alice') });
    expect(res.status).toBe(200);
    for (const field of ['password', 'resetPasswordToken', 'confirmationToken', 'wechatSessionKey', 'unionid', 'role']) {
      expect(res.body.user).not.toHaveProperty(field);
    }
  });

  test('a later login finds the same user; userInfo is refreshed when sent and kept when not', async () => {
    const openid = sim.openidFor(APP.appId, 'alice');
    const { id } = await userByOpenid(openid);
    const count = await countUsers();

    const withoutInfo = await post({ code: codeFor('alice') });
    expect(withoutInfo.status).toBe(200);
    expect(withoutInfo.body.user.id).toBe(id);
    expect(withoutInfo.body.user.wechatUserInfo).toEqual(userInfo);

    const changed = { ...userInfo, nickName: 'Alice W.' };
    const withInfo = await post({ code: codeFor('alice'), userInfo: changed });
    expect(withInfo.body.user.id).toBe(id);
    expect(withInfo.body.user.wechatUserInfo).toEqual(changed);
    expect(openSealed((await userByOpenid(openid)).identity.sessionKey)).toBe(sim.issuedSessionKeys[sim.issuedSessionKeys.length - 1]);
    expect(await countUsers()).toBe(count);
  });

  test('20+ simultaneous first logins for one openid create exactly one user', async () => {
    const attempts = 25;
    const results = await Promise.all(Array.from({ length: attempts }, () => post({ code: codeFor('burst') })));
    expect(results.map((r) => r.status)).toEqual(Array(attempts).fill(200));
    const ids = new Set(results.map((r) => r.body.user.id));
    expect(ids.size).toBe(1);
    expect(await countIdentities(app.strapi, { openid: sim.openidFor(APP.appId, 'burst') })).toBe(1);
    expect((await userByOpenid(sim.openidFor(APP.appId, 'burst'))).id).toBe([...ids][0]);
  });

  test('many different new users at once each get their own account', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `crowd${i}`);
    const results = await Promise.all(names.map((n) => post({ code: codeFor(n) })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.user.id)).size).toBe(names.length);
  });

  test('many returning users at once each keep their own latest session key (the keys are written in batches)', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `regular${i}`);
    for (const name of names) expect((await post({ code: codeFor(name) })).status).toBe(200);
    const results = await Promise.all(names.map((name) => post({ code: codeFor(name) })));
    expect(results.map((r) => r.status)).toEqual(names.map(() => 200));
    for (const name of names) {
      const stored = await userByOpenid(sim.openidFor(APP.appId, name));
      expect(openSealed(stored.identity.sessionKey)).toBe(sim.sessionKeyFor(APP.appId, name));
    }
  });

  test('the same code is never exchanged twice: replaying it gets 400 "call wx.login again"', async () => {
    const code = codeFor('replay');
    expect((await post({ code })).status).toBe(200);
    const calls = sim.stats.code2session;
    const replay = await post({ code });
    expectStrapiError(replay, 400);
    expect(replay.body.error.message).toMatch(/wx\.login\(\)/);
    expect(replay.body.error.details).toEqual({ errcode: 40163, reason: 'invalid_code' });
    expect(sim.stats.code2session).toBe(calls + 1);
  });
});

describe('users-permissions settings', () => {
  afterEach(() => setAdvancedSettings(app.strapi, { allow_register: true, default_role: 'authenticated' }));

  test('new users get the default role configured in Advanced settings', async () => {
    const role = await app.strapi.db
      .query('plugin::users-permissions.role')
      .create({ data: { name: 'WeChat member', description: 'test', type: 'wechat-member' } });
    await setAdvancedSettings(app.strapi, { default_role: 'wechat-member' });
    const res = await post({ code: codeFor('member') });
    expect(res.status).toBe(200);
    expect((await userByOpenid(sim.openidFor(APP.appId, 'member'))).role.id).toBe(role.id);
  });

  test('with sign-ups disabled, unknown openids are refused and existing users still log in', async () => {
    await setAdvancedSettings(app.strapi, { allow_register: false });
    const count = await countUsers();
    const refused = await post({ code: codeFor('latecomer') });
    expectStrapiError(refused, 403);
    expect(refused.body.error.message).toMatch(/sign-ups are turned off/);
    expect(await countUsers()).toBe(count);

    const existing = await post({ code: codeFor('alice') });
    expect(existing.status).toBe(200);
  });

  test('with credentialsCacheTtl, a change saved on this instance is seen at once, one written by another instance within the TTL', async () => {
    const ttlKey = 'plugin.strapi-wechat-miniprogram-auth.credentialsCacheTtl';
    app.strapi.config.set(ttlKey, 1500);
    try {
      expect((await post({ code: codeFor('ttlfirst') })).status).toBe(200); // read and kept: sign-ups on
      // Saved through the store (what the Users & Permissions settings page does): the cache is dropped.
      await setAdvancedSettings(app.strapi, { allow_register: false });
      expectStrapiError(await post({ code: codeFor('ttlrefused') }), 403);
      await setAdvancedSettings(app.strapi, { allow_register: true });
      const beforeRead = Date.now();
      expect((await post({ code: codeFor('ttlwelcome') })).status).toBe(200); // read again, and kept
      const afterRead = Date.now();

      // Written by another instance: this one hears nothing and goes on with what it read, for the TTL at most.
      const row = await app.strapi.db.connection('strapi_core_store_settings').where({ key: 'plugin_users-permissions_advanced' }).first();
      const value = JSON.parse(row.value);
      await app.strapi.db
        .connection('strapi_core_store_settings')
        .where({ id: row.id })
        .update({ value: JSON.stringify({ ...value, allow_register: false }) });
      let res = await post({ code: codeFor('ttlstale0') });
      // Only while the kept copy is surely still fresh (it was read after beforeRead): a slow machine may be past it.
      if (Date.now() < beforeRead + 1500) expect(res.status).toBe(200);
      for (let i = 1; res.status === 200 && Date.now() < afterRead + 8000; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        res = await post({ code: codeFor(`ttlstale${i}`) });
      }
      expectStrapiError(res, 403);
      // Refused once the TTL has run out: one login and one pause of polling after it at most.
      expect(Date.now() - afterRead).toBeLessThan(1500 + 2500);
    } finally {
      app.strapi.config.set(ttlKey, 0);
    }
  });

  test('a blocked user gets 403 and no token, and nothing is changed', async () => {
    const first = await post({ code: codeFor('mallory'), userInfo: { nickName: 'before' } });
    await users().update({ where: { id: first.body.user.id }, data: { blocked: true } });
    const before = await userByOpenid(first.body.user.openid);

    const res = await post({ code: codeFor('mallory'), userInfo: { nickName: 'after' } });
    expectStrapiError(res, 403);
    expect(res.body.error.message).toMatch(/blocked/);
    const after = await userByOpenid(first.body.user.openid);
    expect(after.wechatUserInfo).toEqual({ nickName: 'before' });
    expect(after.identity.sessionKey).toBe(before.identity.sessionKey);
    expect(after.identity.sessionKey).toBeTruthy();
  });
});

describe('bad input gets a 400 in Strapi error format and changes nothing', () => {
  const bad: Array<[string, unknown]> = [
    ['no body', undefined],
    ['an array body', [{ code: 'sim_x_1' }]],
    ['a missing code', { userInfo: { nickName: 'x' } }],
    ['a null code', { code: null }],
    ['a numeric code', { code: 12345 }],
    ['an object code', { code: { $ne: null } }],
    ['an empty code', { code: '' }],
    ['an oversized code', { code: 'sim_big_' + 'a'.repeat(200) }],
    ['a code with spaces', { code: 'sim_x 1' }],
    ['a code with unicode', { code: 'sim_微信_1' }],
    ['userInfo as a string', { code: 'sim_bad_1', userInfo: 'nick' }],
    ['userInfo as an array', { code: 'sim_bad_1', userInfo: ['nick'] }],
    ['userInfo with an unknown field', { code: 'sim_bad_1', userInfo: { nickName: 'x', isAdmin: true } }],
    ['userInfo with a role', { code: 'sim_bad_1', userInfo: { role: 1 } }],
    ['a huge nickName', { code: 'sim_bad_1', userInfo: { nickName: 'x'.repeat(65) } }],
    ['a gender out of range', { code: 'sim_bad_1', userInfo: { gender: 7 } }],
    ['a gender as a string', { code: 'sim_bad_1', userInfo: { gender: '1' } }],
    ['a javascript: avatar', { code: 'sim_bad_1', userInfo: { avatarUrl: 'javascript:alert(1)' } }],
    ['a nested object in userInfo', { code: 'sim_bad_1', userInfo: { city: { toString: 'x' } } }],
  ];

  test.each(bad)('%s', async (_label, body) => {
    const count = await countUsers();
    const calls = sim.stats.code2session;
    const res = body === undefined ? responses.add(await request(app.server).post('/strapi-wechat-miniprogram-auth/login')) : await post(body);
    expectStrapiError(res, 400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(await countUsers()).toBe(count);
    expect(sim.stats.code2session).toBe(calls);
  });

  test('prototype keys in userInfo are refused', async () => {
    const count = await countUsers();
    for (const raw of [
      '{"code":"sim_proto_1","userInfo":{"__proto__":{"isAdmin":true}}}',
      '{"code":"sim_proto_2","userInfo":{"constructor":{"prototype":{"x":1}}}}',
      '{"code":"sim_proto_3","__proto__":{"userInfo":{"nickName":"x"}}}',
    ]) {
      const res = await post(raw);
      expectStrapiError(res, 400);
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await countUsers()).toBe(count);
  });

  test.each([
    ['malformed JSON', '{"code": '],
    ['a JSON string body', '"sim_x_1"'],
  ])("%s is a 400 from Strapi's body parser, not a 500", async (_label, raw) => {
    const res = await post(raw);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400 } });
  });

  test('the newer is_demote flag some clients send is accepted', async () => {
    const res = await post({ code: codeFor('demoted'), userInfo: { nickName: '微信用户', avatarUrl: 'https://thirdwx.qlogo.cn/x/132', is_demote: true } });
    expect(res.status).toBe(200);
  });
});

describe('WeChat failures map to documented statuses, with no secret anywhere', () => {
  const cases: Array<[string, number, Record<string, unknown> | null]> = [
    ['err40029', 400, { errcode: 40029, reason: 'invalid_code' }],
    ['err40163', 400, { errcode: 40163, reason: 'invalid_code' }],
    ['err45011', 429, { errcode: 45011 }],
    ['err40226', 403, { errcode: 40226 }],
    ['err-1', 503, { errcode: -1 }],
    ['err40013', 502, { errcode: 40013 }],
    ['err40125', 502, { errcode: 40125 }],
    ['err99999', 502, { errcode: 99999 }],
    ['http500', 502, null],
    ['nonjson', 502, null],
    ['html', 502, null],
    ['reset', 502, null],
    ['hang', 504, null],
  ];

  test.each(cases)('%s → %i', async (fault, status, details) => {
    const count = await countUsers();
    const started = Date.now();
    const res = await post({ code: faultCode(fault) });
    expectStrapiError(res, status);
    if (details) expect(res.body.error.details).toEqual(details);
    expect(Date.now() - started).toBeLessThan(1500 + 2000);
    expect(await countUsers()).toBe(count);
  });

  test('an unknown code is a 400 asking for wx.login again', async () => {
    const res = await post({ code: 'not-a-code-wechat-knows' });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toEqual({ errcode: 40029, reason: 'invalid_code' });
  });

  test('a wrong AppSecret in the store is a 502 that says so without showing it', async () => {
    const store = app.strapi.store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' });
    const wrong = 'ffffffffffffffffffffffffffffffff';
    await store.set({ key: 'settings', value: { appId: APP.appId, appSecret: wrong } });
    try {
      const res = await post({ code: codeFor('alice') });
      expectStrapiError(res, 502);
      expect(res.body.error.message).toMatch(/invalid AppSecret/);
      expectNoSecrets(res.text + app.logs.text(), [wrong]);
    } finally {
      await store.set({ key: 'settings', value: { appId: APP.appId, appSecret: APP.appSecret } });
    }
  });

  test('no response and no log line ever carried the AppSecret, a session_key or the upstream URL', () => {
    const everything = responses.text() + '\n' + app.logs.text();
    expect(sim.issuedSessionKeys.length).toBeGreaterThan(20);
    expectNoSecrets(everything, [APP.appSecret, ...sim.issuedSessionKeys]);
    expect(everything).not.toMatch(/jscode2session/);
    expect(app.logs.lines.length).toBeGreaterThan(0);
  });
});
