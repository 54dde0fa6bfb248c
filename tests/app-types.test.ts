/**
 * App types: mini programs (the default), Official Accounts, website apps and mobile apps, in config and in the admin
 * panel's app list. POST /login takes a mobile app's Open SDK code (sns/oauth2/access_token) and refuses the browser
 * apps' AppIDs; the same person in a mini program and a mobile app of one Open Platform account is one user, and
 * without a unionid never merged.
 */
import request from 'supertest';
import configModule, { validator } from '../server/config';
import { startTestApp, TestApp } from './helpers/test-app';
import { codeFor, expectNoSecrets, expectStrapiError, faultCode, login, ResponseLog } from './helpers/login';
import { registerFirstAdmin } from './helpers/admin';
import { countIdentities, userByOpenid } from './helpers/identities';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const OPEN_PLATFORM = 'op-app-types';
const MINI: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
const MOBILE: SimulatedApp = { appId: 'wx1111111111111111', appSecret: '11111111111111111111111111111111', type: 'mobileApp', openPlatformId: OPEN_PLATFORM };
/** A mobile app not bound to the Open Platform account: no unionid. */
const LONE_MOBILE: SimulatedApp = { appId: 'wx2222222222222222', appSecret: '22222222222222222222222222222222', type: 'mobileApp' };
const OFFICIAL: SimulatedApp = { appId: 'wx3333333333333333', appSecret: '33333333333333333333333333333333', type: 'officialAccount' };
const WEBSITE: SimulatedApp = { appId: 'wx4444444444444444', appSecret: '44444444444444444444444444444444', type: 'website', openPlatformId: OPEN_PLATFORM };
/** Configured with a wrong AppSecret. */
const BAD_SECRET: SimulatedApp = { appId: 'wx5555555555555555', appSecret: '55555555555555555555555555555555', type: 'mobileApp' };

const sim = new WeChatSimulator({ apps: [MINI, MOBILE, LONE_MOBILE, OFFICIAL, WEBSITE, BAD_SECRET] });
const responses = new ResponseLog();
let app: TestApp;

const configApp = ({ appId, appSecret, type }: SimulatedApp) => ({ appId, appSecret, ...(type ? { type } : {}) });

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'app-types',
    pluginConfig: {
      apiBaseUrl,
      apps: [
        // A browser app listed first: a login without appId still goes to the first mini program.
        configApp(OFFICIAL),
        configApp(MINI),
        configApp(MOBILE),
        configApp(LONE_MOBILE),
        configApp(WEBSITE),
        { ...configApp(BAD_SECRET), appSecret: 'abcdefabcdefabcdefabcdefabcdefab' },
      ],
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

const send = async (body: Record<string, unknown>) => responses.add(await login(app.server, body));

describe('config', () => {
  const withDefaults = (patch: Record<string, unknown>) => ({ ...configModule.default(), ...patch });

  test('takes the four types, and refuses anything else', () => {
    for (const type of ['miniProgram', 'officialAccount', 'website', 'mobileApp']) {
      expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, type }] }))).not.toThrow();
    }
    expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, type: 'webApp' }] }))).toThrow(
      'apps[0].type must be one of miniProgram, officialAccount, website, mobileApp'
    );
  });

  test('scope is an Official Account setting, redirectAllowList a browser app setting', () => {
    expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, type: 'officialAccount', scope: 'snsapi_base' }] }))).not.toThrow();
    expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, type: 'officialAccount', scope: 'snsapi_login' }] }))).toThrow(
      'apps[0].scope must be snsapi_base or snsapi_userinfo'
    );
    expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, scope: 'snsapi_base' }] }))).toThrow(
      'apps[0].scope is for officialAccount apps only'
    );
    expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, redirectAllowList: ['https://example.com/'] }] }))).toThrow(
      'apps[0].redirectAllowList is for officialAccount and website apps only'
    );
    expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, type: 'website', redirectAllowList: ['/relative'] }] }))).toThrow(
      'apps[0].redirectAllowList[0] must be an absolute http(s) URL'
    );
  });

  test('defaultAppId cannot name a browser or mobile app', () => {
    expect(() => validator(withDefaults({ apps: [{ appId: DEMO_APP.appId, type: 'website' }], defaultAppId: DEMO_APP.appId }))).toThrow(
      'defaultAppId must be a miniProgram app'
    );
  });

  test('oauth: the allow-list, the lifetimes and the URLs are checked', () => {
    const oauth = (patch: Record<string, unknown>) => withDefaults({ oauth: { ...configModule.default().oauth, ...patch } });
    expect(() => validator(oauth({ redirectAllowList: ['https://shop.example.com/login/'] }))).not.toThrow();
    expect(() => validator(oauth({ redirectAllowList: ['javascript:alert(1)'] }))).toThrow('oauth.redirectAllowList[0] must be an absolute http(s) URL');
    expect(() => validator(oauth({ redirectAllowList: ['https://a.example.com/#x'] }))).toThrow('must have no credentials, query or fragment');
    expect(() => validator(oauth({ stateTtl: 1000 }))).toThrow('oauth.stateTtl');
    expect(() => validator(oauth({ loginCodeTtl: 0 }))).toThrow('oauth.loginCodeTtl');
    expect(() => validator(oauth({ authorizeBaseUrl: 'ftp://x' }))).toThrow('oauth.authorizeBaseUrl must be an http(s) URL');
  });
});

describe('POST /login with a mobile app', () => {
  test('a mini program user who later logs in through the mobile app (same unionid) is the same user', async () => {
    const mini = await send({ code: codeFor('alice') });
    expect(mini.status).toBe(200);
    const mobile = await send({ code: codeFor('alice'), appId: MOBILE.appId });
    expect(mobile.status).toBe(200);
    expect(mobile.body.user.id).toBe(mini.body.user.id);
    expect(mobile.body.user.openid).toBe(sim.openidFor(MOBILE.appId, 'alice'));
    expect(typeof mobile.body.token).toBe('string');
    const stored = await userByOpenid(app.strapi, sim.openidFor(MOBILE.appId, 'alice'));
    expect(stored).toMatchObject({ id: mini.body.user.id, unionid: sim.unionidFor(OPEN_PLATFORM, 'alice') });
    // A mobile app has no session key.
    expect(stored!.identity).toMatchObject({ appId: MOBILE.appId, sessionKey: null });
    expect(sim.getStats().calls[MOBILE.appId]).toMatchObject({ snsAccessToken: 1, code2session: 0 });
  });

  test('the mobile app first, then the mini program: still one user', async () => {
    const mobile = await send({ code: codeFor('bruno'), appId: MOBILE.appId });
    const mini = await send({ code: codeFor('bruno') });
    expect([mobile.status, mini.status]).toEqual([200, 200]);
    expect(mini.body.user.id).toBe(mobile.body.user.id);
    expect(await countIdentities(app.strapi, { openid: { $in: [sim.openidFor(MOBILE.appId, 'bruno'), sim.openidFor(MINI.appId, 'bruno')] } })).toBe(2);
  });

  test('without a unionid the mobile app user is a separate user, never merged', async () => {
    const mini = await send({ code: codeFor('carla') });
    const lone = await send({ code: codeFor('carla'), appId: LONE_MOBILE.appId });
    expect([mini.status, lone.status]).toEqual([200, 200]);
    expect(lone.body.user.id).not.toBe(mini.body.user.id);
    const again = await send({ code: codeFor('carla'), appId: LONE_MOBILE.appId });
    expect(again.body.user.id).toBe(lone.body.user.id);
  });

  test("WeChat's refusals of the code are clear 4xx, a wrong AppSecret a 502, a busy WeChat a 503; nothing created", async () => {
    const before = await countIdentities(app.strapi);
    const code = codeFor('dora');
    expect((await send({ code, appId: MOBILE.appId })).status).toBe(200);
    const reused = await send({ code, appId: MOBILE.appId });
    expectStrapiError(reused, 400);
    expect(reused.body.error.details).toMatchObject({ errcode: 40163, reason: 'code_used' });
    const unknown = await send({ code: 'not-a-code', appId: MOBILE.appId });
    expectStrapiError(unknown, 400);
    expect(unknown.body.error.details).toMatchObject({ errcode: 40029, reason: 'invalid_code' });
    const badSecret = await send({ code: codeFor('dora'), appId: BAD_SECRET.appId });
    expectStrapiError(badSecret, 502);
    expect(badSecret.body.error.details).toMatchObject({ errcode: 40125 });
    const busy = await send({ code: faultCode('err-1'), appId: MOBILE.appId });
    expectStrapiError(busy, 503);
    // A mini program code sent with the mobile app's AppID is not a mobile app's code.
    expectStrapiError(await send({ code: sim.issueCode(MINI.appId, 'dora'), appId: MOBILE.appId }), 400);
    expect(await countIdentities(app.strapi)).toBe(before + 1);
  });

  test('a phoneCode with a mobile app is a 400 (the phone number API is a mini program one), before WeChat is asked', async () => {
    const calls = sim.getStats().totals.snsAccessToken;
    const res = await send({ code: codeFor('emil'), appId: MOBILE.appId, phoneCode: 'phone_emil_1' });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ reason: 'phone_not_supported' });
    expect(sim.getStats().totals.snsAccessToken).toBe(calls);
  });
});

describe('POST /login with a browser app', () => {
  test.each([
    ['officialAccount', OFFICIAL],
    ['website', WEBSITE],
  ])('an %s AppID is a 400 naming the browser flow, WeChat not asked', async (type, target) => {
    const before = sim.getStats().totals;
    const res = await send({ code: codeFor('fay'), appId: target.appId });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ appId: target.appId, type, reason: 'wrong_app_type' });
    expect(res.body.error.message).toContain(`/oauth/${target.appId}/authorize`);
    const after = sim.getStats().totals;
    expect([after.code2session, after.snsAccessToken]).toEqual([before.code2session, before.snsAccessToken]);
  });

  test('a login without appId uses the first mini program, not the first app listed', async () => {
    const res = await send({ code: codeFor('gus') });
    expect(res.status).toBe(200);
    expect(res.body.user.openid).toBe(sim.openidFor(MINI.appId, 'gus'));
  });
});

describe('the admin panel', () => {
  let adminToken: string;
  const settings = (path = '') => `/strapi-wechat-miniprogram-auth/settings${path}`;

  beforeAll(async () => {
    adminToken = await registerFirstAdmin(app.server);
  });

  test('lists each app with its type, saves a new app with one, and changes it', async () => {
    const view = await request(app.server).get(settings()).set('Authorization', `Bearer ${adminToken}`);
    expect(view.status).toBe(200);
    const types = Object.fromEntries(view.body.data.apps.map((a: { appId: string; type: string }) => [a.appId, a.type]));
    expect(types).toMatchObject({ [MINI.appId]: 'miniProgram', [MOBILE.appId]: 'mobileApp', [OFFICIAL.appId]: 'officialAccount', [WEBSITE.appId]: 'website' });

    const added = await request(app.server)
      .post(settings('/apps'))
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ appId: 'wx6666666666666666', appSecret: '66666666666666666666666666666666', type: 'website' });
    expect(added.status).toBe(200);
    expect(added.body.data.apps.find((a: { appId: string }) => a.appId === 'wx6666666666666666')).toMatchObject({ type: 'website', source: 'store' });

    const changed = await request(app.server)
      .put(settings('/apps/wx6666666666666666'))
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ type: 'mobileApp' });
    expect(changed.status).toBe(200);
    expect(changed.body.data.apps.find((a: { appId: string }) => a.appId === 'wx6666666666666666')).toMatchObject({ type: 'mobileApp' });
    // The stored app now takes mobile app codes (the simulator does not know it: WeChat says invalid AppID).
    const res = await send({ code: codeFor('hana'), appId: 'wx6666666666666666' });
    expectStrapiError(res, 502);
    expect(res.body.error.details).toMatchObject({ errcode: 40013 });
  });

  test("a type that is none of the four, or a config app's type, is a 400 and changes nothing", async () => {
    const bad = await request(app.server)
      .post(settings('/apps'))
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ appId: 'wx7777777777777777', appSecret: '77777777777777777777777777777777', type: 'webApp' });
    expectStrapiError(bad, 400);
    const readOnly = await request(app.server)
      .put(settings(`/apps/${MINI.appId}`))
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ type: 'website' });
    expectStrapiError(readOnly, 400);
    expect(readOnly.body.error.details).toMatchObject({ reason: 'read_only' });
    const view = await request(app.server).get(settings()).set('Authorization', `Bearer ${adminToken}`);
    expect(view.body.data.apps.map((a: { appId: string }) => a.appId)).not.toContain('wx7777777777777777');
    expect(view.body.data.apps.find((a: { appId: string }) => a.appId === MINI.appId).type).toBe('miniProgram');
  });

  test('no AppSecret in any answer', () => {
    expectNoSecrets(
      responses.text(),
      [MINI, MOBILE, LONE_MOBILE, OFFICIAL, WEBSITE, BAD_SECRET].map((a) => a.appSecret)
    );
  });
});
