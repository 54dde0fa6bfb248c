/**
 * The browser logins of Official Accounts (公众号网页授权) and website apps (网站应用扫码): authorize → WeChat's consent
 * page (the simulator's) → callback → one-time login code → exchange, and every security rule: the state bound to
 * the browser (cookie), single use and short-lived; the redirect allow-list (no open redirect); refusals, WeChat's
 * errors, a snapshot page's user; the login code single use, short-lived, never a JWT in a URL; nothing created on
 * any failure; one user across a mini program and a website where a unionid links them, never merged without one.
 */
import request from 'supertest';
import { startTestApp, TestApp, writeApp } from './helpers/test-app';
import { Instance, startInstance, stopInstance } from './helpers/instances';
import { dropDatabase, type DatabaseSpec } from './helpers/database';
import { codeFor, expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { countIdentities, userByOpenid } from './helpers/identities';
import { browserLogin, callback, callbackUrlFor, decide, exchange, OAUTH_PATH, startLogin, STATE_COOKIE } from './helpers/oauth';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const OPEN_PLATFORM = 'op-oauth';
const MINI: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
const WEBSITE: SimulatedApp = { appId: 'wx4444444444444444', appSecret: '44444444444444444444444444444444', type: 'website', openPlatformId: OPEN_PLATFORM };
const OFFICIAL: SimulatedApp = {
  appId: 'wx3333333333333333',
  appSecret: '33333333333333333333333333333333',
  type: 'officialAccount',
  openPlatformId: OPEN_PLATFORM,
};
/** Not bound to the Open Platform account: no unionid. */
const LONE_OFFICIAL: SimulatedApp = { appId: 'wx2222222222222222', appSecret: '22222222222222222222222222222222', type: 'officialAccount' };
/** Silent authorization: the openid only, no sns/userinfo. */
const BASE_OFFICIAL: SimulatedApp = {
  appId: 'wx1111111111111111',
  appSecret: '11111111111111111111111111111111',
  type: 'officialAccount',
  openPlatformId: OPEN_PLATFORM,
};
const MOBILE: SimulatedApp = { appId: 'wx5555555555555555', appSecret: '55555555555555555555555555555555', type: 'mobileApp', openPlatformId: OPEN_PLATFORM };

const PAGE = 'https://shop.example.com/login/done';
/** Allowed for the website app only (its own redirectAllowList). */
const WEBSITE_ONLY_PAGE = 'https://www.example.org/wechat-return';

const sim = new WeChatSimulator({ apps: [MINI, WEBSITE, OFFICIAL, LONE_OFFICIAL, BASE_OFFICIAL, MOBILE] });
const responses = new ResponseLog();
let app: TestApp;

const GRANT_UID = 'plugin::strapi-wechat-miniprogram-auth.oauth-grant';
const USER_UID = 'plugin::users-permissions.user';
const countUsers = () => app.strapi.db.query(USER_UID).count();

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  const conf = ({ appId, appSecret, type }: SimulatedApp) => ({ appId, appSecret, ...(type ? { type } : {}) });
  app = await startTestApp({
    name: 'oauth',
    pluginConfig: {
      apiBaseUrl,
      apps: [
        conf(MINI),
        { ...conf(WEBSITE), redirectAllowList: [WEBSITE_ONLY_PAGE] },
        conf(OFFICIAL),
        conf(LONE_OFFICIAL),
        { ...conf(BASE_OFFICIAL), scope: 'snsapi_base' },
        conf(MOBILE),
      ],
      oauth: { redirectAllowList: ['https://shop.example.com/login/'], authorizeBaseUrl: apiBaseUrl },
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

/** Whether anything was created: users, identities. */
async function snapshot() {
  return { users: await countUsers(), identities: await countIdentities(app.strapi) };
}

async function exchangeCodeOf(page: URL) {
  const code = page.searchParams.get('login_code');
  expect({ error: page.searchParams.get('error'), hasCode: Boolean(code) }).toEqual({ error: null, hasCode: true });
  const res = responses.add(await exchange(app.server, { code }));
  expect(res.status).toBe(200);
  return res.body as { jwt: string; user: { id: number; openid: string; [key: string]: unknown } };
}

describe('authorize', () => {
  test('an Official Account: 302 to connect/oauth2/authorize with the callback, snsapi_userinfo and a state; an HttpOnly SameSite=Lax cookie', async () => {
    const { wechatUrl, state, setCookie } = await startLogin(app.server, OFFICIAL.appId, PAGE);
    expect(wechatUrl.pathname).toBe('/connect/oauth2/authorize');
    expect(wechatUrl.hash).toBe('#wechat_redirect');
    expect([...wechatUrl.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
    expect(Object.fromEntries(wechatUrl.searchParams)).toMatchObject({
      appid: OFFICIAL.appId,
      redirect_uri: `${app.server}${OAUTH_PATH}/${OFFICIAL.appId}/callback`,
      response_type: 'code',
      scope: 'snsapi_userinfo',
    });
    expect(state).toMatch(/^[0-9a-f]{64}$/);
    expect(setCookie).toMatch(new RegExp(`^${STATE_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(setCookie.toLowerCase()).toContain('httponly');
    expect(setCookie.toLowerCase()).toContain('samesite=lax');
    expect(setCookie).toContain(`path=${OAUTH_PATH}`);
    // Neither the state nor the cookie's secret is stored as such: only hashes.
    const rows = await app.strapi.db.query(GRANT_UID).findMany({ where: { kind: 'state' } });
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(state);
    expect(stored).not.toContain(setCookie.split(';')[0].split('=')[1]);
  });

  test('a website app: connect/qrconnect with snsapi_login; an Official Account set to snsapi_base asks that', async () => {
    const website = await startLogin(app.server, WEBSITE.appId, PAGE);
    expect(website.wechatUrl.pathname).toBe('/connect/qrconnect');
    expect(website.wechatUrl.searchParams.get('scope')).toBe('snsapi_login');
    const base = await startLogin(app.server, BASE_OFFICIAL.appId, PAGE);
    expect(base.wechatUrl.searchParams.get('scope')).toBe('snsapi_base');
  });

  test.each([
    ['another origin', 'https://evil.example.com/login/done'],
    ['a look-alike host', 'https://shop.example.com.evil.com/login/done'],
    ['credentials before the host', 'https://shop.example.com@evil.com/login/done'],
    ['a path outside the allowed folder', 'https://shop.example.com/admin'],
    ['a dot-dot path', 'https://shop.example.com/login/../admin'],
    ['an encoded dot-dot path', 'https://shop.example.com/login/%2e%2e/admin'],
    ['another scheme', 'javascript:alert(1)//shop.example.com/login/'],
    ['http instead of https', 'http://shop.example.com/login/done'],
    ['a relative URL', '/login/done'],
    ["another app's page", WEBSITE_ONLY_PAGE],
  ])('a redirect to %s is a 400 (no open redirect), nothing stored, no cookie', async (_what, redirect) => {
    const before = await app.strapi.db.query(GRANT_UID).count();
    const res = responses.add(await request(app.server).get(`${OAUTH_PATH}/${OFFICIAL.appId}/authorize`).query({ redirect }));
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ reason: 'redirect_not_allowed' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.location).toBeUndefined();
    expect(await app.strapi.db.query(GRANT_UID).count()).toBe(before);
  });

  test("an app's own allow-list adds to the global one for that app", async () => {
    const { wechatUrl } = await startLogin(app.server, WEBSITE.appId, `${WEBSITE_ONLY_PAGE}?next=%2Fcart`);
    expect(wechatUrl.pathname).toBe('/connect/qrconnect');
  });

  test('no redirect, two redirects, a malformed AppID: 400', async () => {
    expectStrapiError(await request(app.server).get(`${OAUTH_PATH}/${OFFICIAL.appId}/authorize`), 400);
    expectStrapiError(await request(app.server).get(`${OAUTH_PATH}/${OFFICIAL.appId}/authorize?redirect=${PAGE}&redirect=${PAGE}`), 400);
    expectStrapiError(await request(app.server).get(`${OAUTH_PATH}/not-an-appid/authorize`).query({ redirect: PAGE }), 400);
  });

  test.each([
    ['miniProgram', MINI.appId],
    ['mobileApp', MOBILE.appId],
  ])('a %s AppID is a 400 (its logins do not run in a browser); an unknown one too', async (type, appId) => {
    const res = await request(app.server).get(`${OAUTH_PATH}/${appId}/authorize`).query({ redirect: PAGE });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ reason: 'wrong_app_type', type });
    const unknown = await request(app.server).get(`${OAUTH_PATH}/wx9999999999999999/authorize`).query({ redirect: PAGE });
    expectStrapiError(unknown, 400);
    expect(unknown.body.error.details).toMatchObject({ reason: 'unknown_app' });
  });
});

describe('a whole login', () => {
  test('Official Account (snsapi_userinfo): back to the page with a one-time code, exchanged for { jwt, user }', async () => {
    const started = await startLogin(app.server, OFFICIAL.appId, `${PAGE}?from=menu#top`);
    const back = await decide(started.wechatUrl, 'olga', 'allow');
    expect(back.pathname).toBe(`${OAUTH_PATH}/${OFFICIAL.appId}/callback`);
    const { res, location } = await callback(app.server, back, started.cookie);
    responses.add(res);
    expect(res.status).toBe(302);
    // The cookie is cleared.
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';')).toMatch(new RegExp(`${STATE_COOKIE}=;`));
    expect(location!.origin + location!.pathname).toBe(PAGE);
    expect(location!.searchParams.get('from')).toBe('menu');
    expect(location!.hash).toBe('#top');
    const answer = await exchangeCodeOf(location!);
    expect(answer.user).toMatchObject({ openid: sim.openidFor(OFFICIAL.appId, 'olga'), provider: 'wechat-miniprogram' });
    expect(answer.user).not.toHaveProperty('unionid');
    expect(answer.user).not.toHaveProperty('password');
    const me = await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${answer.jwt}`);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(answer.user.id);
    const stored = await userByOpenid(app.strapi, sim.openidFor(OFFICIAL.appId, 'olga'));
    expect(stored).toMatchObject({ unionid: sim.unionidFor(OPEN_PLATFORM, 'olga'), wechatUserInfo: { nickName: 'olga', country: 'CN' } });
    // The JWT never travelled in a URL.
    expect(location!.toString()).not.toContain(answer.jwt);
  });

  test('a mini program user who later logs in on the website (same Open Platform) is the same user', async () => {
    const mini = responses.add(await login(app.server, { code: codeFor('wendy') }));
    expect(mini.status).toBe(200);
    const answer = await exchangeCodeOf(await browserLogin(app.server, WEBSITE.appId, PAGE, 'wendy'));
    expect(answer.user.id).toBe(mini.body.user.id);
    expect(answer.user.openid).toBe(sim.openidFor(WEBSITE.appId, 'wendy'));
    // And through the Official Account too.
    const official = await exchangeCodeOf(await browserLogin(app.server, OFFICIAL.appId, PAGE, 'wendy'));
    expect(official.user.id).toBe(mini.body.user.id);
    expect(await countIdentities(app.strapi, { user: { id: mini.body.user.id } })).toBe(3);
  });

  test('an Official Account user without unionid is a separate user, never merged', async () => {
    const mini = responses.add(await login(app.server, { code: codeFor('lena') }));
    const lone = await exchangeCodeOf(await browserLogin(app.server, LONE_OFFICIAL.appId, PAGE, 'lena'));
    expect(lone.user.id).not.toBe(mini.body.user.id);
    const again = await exchangeCodeOf(await browserLogin(app.server, LONE_OFFICIAL.appId, PAGE, 'lena'));
    expect(again.user.id).toBe(lone.user.id);
    expect((await userByOpenid(app.strapi, sim.openidFor(LONE_OFFICIAL.appId, 'lena')))!.unionid).toBeNull();
  });

  test('snsapi_base: the openid (and unionid) only, sns/userinfo not called', async () => {
    const calls = sim.getStats().totals.snsUserInfo;
    const answer = await exchangeCodeOf(await browserLogin(app.server, BASE_OFFICIAL.appId, PAGE, 'basil'));
    expect(answer.user.openid).toBe(sim.openidFor(BASE_OFFICIAL.appId, 'basil'));
    expect(sim.getStats().totals.snsUserInfo).toBe(calls);
    expect((await userByOpenid(app.strapi, answer.user.openid))!.wechatUserInfo).toBeNull();
  });
});

describe('the callback refuses, and creates nothing', () => {
  /** A login started by the browser (its cookie), and a code of the test's choosing at the callback. */
  async function callbackWith(code: string | undefined, options: { cookie?: string | null; appId?: string } = {}) {
    const appId = options.appId ?? OFFICIAL.appId;
    const started = await startLogin(app.server, appId, PAGE);
    const before = await snapshot();
    const cookie = options.cookie === undefined ? started.cookie : (options.cookie ?? undefined);
    const result = await callback(app.server, callbackUrlFor(app.server, appId, started.state, code), cookie);
    responses.add(result.res);
    expect(await snapshot()).toEqual(before);
    return { ...result, started };
  }
  const errorOf = (location: URL | null) => ({
    page: location && location.origin + location.pathname,
    error: location?.searchParams.get('error'),
    code: location?.searchParams.get('login_code'),
  });

  test('the user refuses on the consent page: back to the page with error=access_denied', async () => {
    const started = await startLogin(app.server, OFFICIAL.appId, PAGE);
    const before = await snapshot();
    const back = await decide(started.wechatUrl, 'ria', 'deny');
    expect(back.searchParams.has('code')).toBe(false);
    const { location } = await callback(app.server, back, started.cookie);
    expect(errorOf(location)).toEqual({ page: PAGE, error: 'access_denied', code: null });
    expect(await snapshot()).toEqual(before);
  });

  test('code=authdeny (the older refusal) likewise', async () => {
    expect(errorOf((await callbackWith('authdeny')).location)).toMatchObject({ error: 'access_denied' });
  });

  test('a forged state is a 400 page (no redirect: nothing vouches for one), so is a missing one', async () => {
    const before = await snapshot();
    const forged = await request(app.server)
      .get(callbackUrlFor(app.server, OFFICIAL.appId, 'ab'.repeat(32), sim.issueOAuthCode(OFFICIAL.appId, 'mallory')).pathname)
      .query({ state: 'ab'.repeat(32), code: sim.issueOAuthCode(OFFICIAL.appId, 'mallory') });
    expectStrapiError(forged, 400);
    expect(forged.body.error.details).toMatchObject({ reason: 'invalid_state' });
    expect(forged.headers.location).toBeUndefined();
    expectStrapiError(await request(app.server).get(`${OAUTH_PATH}/${OFFICIAL.appId}/callback`).query({ code: 'x' }), 400);
    expectStrapiError(await request(app.server).get(`${OAUTH_PATH}/${OFFICIAL.appId}/callback`).query({ code: 'x', state: '<script>' }), 400);
    expect(await snapshot()).toEqual(before);
  });

  test("another app's state is a 400", async () => {
    const started = await startLogin(app.server, WEBSITE.appId, PAGE);
    const res = await request(app.server)
      .get(`${OAUTH_PATH}/${OFFICIAL.appId}/callback`)
      .set('Cookie', started.cookie)
      .query({ state: started.state, code: sim.issueOAuthCode(OFFICIAL.appId, 'mallory') });
    expectStrapiError(res, 400);
  });

  test("login CSRF: without the browser's cookie, or with another browser's, error=state_mismatch; the right browser can still finish", async () => {
    const code = sim.issueOAuthCode(OFFICIAL.appId, 'victor');
    const { location, started } = await callbackWith(code, { cookie: null });
    expect(errorOf(location)).toEqual({ page: PAGE, error: 'state_mismatch', code: null });
    const attacker = await startLogin(app.server, OFFICIAL.appId, PAGE);
    const other = await callback(app.server, callbackUrlFor(app.server, OFFICIAL.appId, started.state, code), attacker.cookie);
    expect(errorOf(other.location)).toMatchObject({ error: 'state_mismatch' });
    const right = await callback(app.server, callbackUrlFor(app.server, OFFICIAL.appId, started.state, code), started.cookie);
    expect(errorOf(right.location)).toMatchObject({ error: null, code: expect.any(String) });
  });

  test('a state is used once: the second callback is error=state_used', async () => {
    const started = await startLogin(app.server, OFFICIAL.appId, PAGE);
    const back = await decide(started.wechatUrl, 'sam', 'allow');
    const first = await callback(app.server, back, started.cookie);
    expect(errorOf(first.location)).toMatchObject({ error: null });
    const before = await snapshot();
    const second = await callback(
      app.server,
      callbackUrlFor(app.server, OFFICIAL.appId, started.state, sim.issueOAuthCode(OFFICIAL.appId, 'sam')),
      started.cookie
    );
    expect(errorOf(second.location)).toEqual({ page: PAGE, error: 'state_used', code: null });
    expect(await snapshot()).toEqual(before);
  });

  test('an expired state: error=state_expired', async () => {
    const started = await startLogin(app.server, OFFICIAL.appId, PAGE);
    await app.strapi.db.query(GRANT_UID).updateMany({ where: { kind: 'state' }, data: { expiresAt: Date.now() - 1000 } });
    const before = await snapshot();
    const { location } = await callback(
      app.server,
      callbackUrlFor(app.server, OFFICIAL.appId, started.state, sim.issueOAuthCode(OFFICIAL.appId, 'tim')),
      started.cookie
    );
    expect(errorOf(location)).toEqual({ page: PAGE, error: 'state_expired', code: null });
    expect(await snapshot()).toEqual(before);
  });

  test.each([
    ['an unknown code', () => 'not-a-wechat-code', 'invalid_code'],
    ['a code WeChat says is used (40163)', () => 'fault_err40163_a', 'code_used'],
    ['a code of another app', () => sim.issueOAuthCode(WEBSITE.appId, 'una'), 'invalid_code'],
    ['a busy WeChat (-1)', () => 'fault_err-1_a', 'wechat_unavailable'],
    ['an unreadable answer', () => 'fault_nonjson_a', 'wechat_unavailable'],
    ["a snapshot page's virtual user", () => sim.issueOAuthCode(OFFICIAL.appId, 'vera', { snapshot: true }), 'snapshot_user'],
  ])('%s: back to the page with the reason', async (_what, code, reason) => {
    const { location } = await callbackWith(code());
    expect(errorOf(location)).toEqual({ page: PAGE, error: reason, code: null });
  });

  test('a code used twice at WeChat (the real 40163): the second is error=code_used', async () => {
    const code = sim.issueOAuthCode(OFFICIAL.appId, 'quinn');
    const first = await startLogin(app.server, OFFICIAL.appId, PAGE);
    const used = await callback(app.server, callbackUrlFor(app.server, OFFICIAL.appId, first.state, code), first.cookie);
    expect(errorOf(used.location)).toMatchObject({ error: null });
    expect(errorOf((await callbackWith(code)).location)).toMatchObject({ error: 'code_used' });
  });

  test('a blocked user: error=blocked, no login code', async () => {
    const first = await exchangeCodeOf(await browserLogin(app.server, OFFICIAL.appId, PAGE, 'bob'));
    await app.strapi.db.query(USER_UID).update({ where: { id: first.user.id }, data: { blocked: true } });
    const { location } = await callbackWith(sim.issueOAuthCode(OFFICIAL.appId, 'bob'));
    expect(errorOf(location)).toMatchObject({ error: 'blocked', code: null });
  });
});

describe('exchange', () => {
  test('a login code is used once', async () => {
    const page = await browserLogin(app.server, OFFICIAL.appId, PAGE, 'uma');
    await exchangeCodeOf(page);
    const again = await exchange(app.server, { code: page.searchParams.get('login_code') });
    expectStrapiError(again, 400);
    expect(again.body.error.details).toMatchObject({ reason: 'login_code_used' });
  });

  test('two exchanges of one code at the same moment: exactly one JWT', async () => {
    const code = (await browserLogin(app.server, OFFICIAL.appId, PAGE, 'ugo')).searchParams.get('login_code');
    const answers = await Promise.all(Array.from({ length: 6 }, () => exchange(app.server, { code })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  });

  test('an expired login code: 400 login_code_expired', async () => {
    const page = await browserLogin(app.server, OFFICIAL.appId, PAGE, 'ivy');
    await app.strapi.db.query(GRANT_UID).updateMany({ where: { kind: 'login', usedAt: null }, data: { expiresAt: Date.now() - 1 } });
    const res = await exchange(app.server, { code: page.searchParams.get('login_code') });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ reason: 'login_code_expired' });
  });

  test('unknown, malformed, missing codes and a state used as a login code: 400', async () => {
    const unknown = await exchange(app.server, { code: 'cd'.repeat(32) });
    expectStrapiError(unknown, 400);
    expect(unknown.body.error.details).toMatchObject({ reason: 'invalid_login_code' });
    expectStrapiError(await exchange(app.server, { code: 'short' }), 400);
    expectStrapiError(await exchange(app.server, {}), 400);
    expectStrapiError(await exchange(app.server, { code: 'cd'.repeat(32), extra: 1 }), 400);
    const { state } = await startLogin(app.server, OFFICIAL.appId, PAGE);
    expectStrapiError(await exchange(app.server, { code: state }), 400);
  });

  test('no AppSecret and no grant row holding a token in the clear', async () => {
    expectNoSecrets(
      responses.text(),
      [MINI, WEBSITE, OFFICIAL, LONE_OFFICIAL, BASE_OFFICIAL, MOBILE].map((a) => a.appSecret)
    );
    const rows = await app.strapi.db.query(GRANT_UID).findMany({});
    expect(rows.every((row: { hash: string }) => /^[0-9a-f]{64}$/.test(row.hash))).toBe(true);
  });
});

describe('rate limit', () => {
  // A second Strapi 4 cannot boot in this process: its own process, on a database of its own.
  let limited: Instance;
  let database: DatabaseSpec;
  beforeAll(async () => {
    const { appDir, database: created } = await writeApp({
      name: 'oauth-ratelimit',
      pluginConfig: {
        apiBaseUrl: sim.baseUrl,
        apps: [{ appId: OFFICIAL.appId, appSecret: OFFICIAL.appSecret, type: 'officialAccount' }],
        oauth: { redirectAllowList: [PAGE], authorizeBaseUrl: sim.baseUrl },
        ratelimit: { enabled: true, interval: 60_000, max: 3 },
      },
    });
    database = created;
    limited = await startInstance(appDir);
  }, 120_000);
  afterAll(async () => {
    await stopInstance(limited);
    if (database) await dropDatabase(database);
  }, 30_000);

  test("authorize, callback and exchange are limited per client address like the login (429 in Strapi's format)", async () => {
    const authorize = () => request(limited.url).get(`${OAUTH_PATH}/${OFFICIAL.appId}/authorize`).query({ redirect: PAGE });
    expect([(await authorize()).status, (await authorize()).status, (await authorize()).status]).toEqual([302, 302, 302]);
    expectStrapiError(await authorize(), 429);
    const exchangeOnce = () => exchange(limited.url, { code: 'cd'.repeat(32) });
    expect([(await exchangeOnce()).status, (await exchangeOnce()).status, (await exchangeOnce()).status]).toEqual([400, 400, 400]);
    expectStrapiError(await exchangeOnce(), 429);
    const callbackOnce = () =>
      request(limited.url)
        .get(`${OAUTH_PATH}/${OFFICIAL.appId}/callback`)
        .query({ state: 'ab'.repeat(32) });
    expect([(await callbackOnce()).status, (await callbackOnce()).status, (await callbackOnce()).status]).toEqual([400, 400, 400]);
    expectStrapiError(await callbackOnce(), 429);
  });
});
