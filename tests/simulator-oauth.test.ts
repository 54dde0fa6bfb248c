/**
 * The simulator's web and app logins: sns/oauth2/access_token and sns/userinfo with WeChat's errcodes, and the
 * consent pages of connect/oauth2/authorize and connect/qrconnect that send the browser back with a code (or without,
 * on a refusal).
 */
import request from 'supertest';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const OFFICIAL: SimulatedApp = { appId: 'wx3333333333333333', appSecret: '33333333333333333333333333333333', type: 'officialAccount', openPlatformId: 'op' };
const WEBSITE: SimulatedApp = { appId: 'wx4444444444444444', appSecret: '44444444444444444444444444444444', type: 'website', openPlatformId: 'op' };
const LONE: SimulatedApp = { appId: 'wx2222222222222222', appSecret: '22222222222222222222222222222222', type: 'officialAccount' };
let clock = Date.now();
const sim = new WeChatSimulator({ apps: [DEMO_APP, OFFICIAL, WEBSITE, LONE], now: () => clock });
let base: string;

beforeAll(async () => {
  base = await sim.start();
});
afterAll(() => sim.stop());

const token = (params: Record<string, string>) =>
  request(base)
    .get('/sns/oauth2/access_token')
    .query({ grant_type: 'authorization_code', ...params });
const userinfo = (params: Record<string, string>) => request(base).get('/sns/userinfo').query(params);
const errcodeOf = (res: request.Response) => (JSON.parse(res.text) as { errcode?: number }).errcode;
const body = (res: request.Response) => JSON.parse(res.text) as Record<string, unknown>;

describe('sns/oauth2/access_token', () => {
  const ok = { appid: OFFICIAL.appId, secret: OFFICIAL.appSecret };

  test('a consent code: the openid, unionid, scope and a user access token; the code is single use', async () => {
    const code = sim.issueOAuthCode(OFFICIAL.appId, 'amy');
    const res = await token({ ...ok, code });
    expect(body(res)).toMatchObject({
      openid: sim.openidFor(OFFICIAL.appId, 'amy'),
      unionid: sim.unionidFor('op', 'amy'),
      scope: 'snsapi_userinfo',
      expires_in: 7200,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    expect(errcodeOf(await token({ ...ok, code }))).toBe(40163);
  });

  test.each([
    ['no appid', 41002, { secret: OFFICIAL.appSecret, code: 'sim_a_1' }],
    ['an unknown appid', 40013, { appid: 'wx9999999999999999', secret: OFFICIAL.appSecret, code: 'sim_a_1' }],
    ["a mini program's appid", 40013, { appid: DEMO_APP.appId, secret: DEMO_APP.appSecret, code: 'sim_a_1' }],
    ['no secret', 41004, { appid: OFFICIAL.appId, code: 'sim_a_1' }],
    ['a wrong secret', 40125, { appid: OFFICIAL.appId, secret: WEBSITE.appSecret, code: 'sim_a_1' }],
    ['no code', 41008, { ...ok }],
    ['an unknown code', 40029, { ...ok, code: 'nope' }],
  ])('%s: errcode %s', async (_what, errcode, params) => {
    expect(errcodeOf(await token(params as Record<string, string>))).toBe(errcode);
  });

  test("another app's code is 40029, an expired one too; a wrong grant_type 40002", async () => {
    expect(errcodeOf(await token({ ...ok, code: sim.issueOAuthCode(WEBSITE.appId, 'bo') }))).toBe(40029);
    const code = sim.issueOAuthCode(OFFICIAL.appId, 'bo');
    clock += 6 * 60 * 1000;
    expect(errcodeOf(await token({ ...ok, code }))).toBe(40029);
    expect(
      errcodeOf(
        await request(base)
          .get('/sns/oauth2/access_token')
          .query({ ...ok, code: 'sim_bo_1', grant_type: 'x' })
      )
    ).toBe(40002);
  });

  test("a snapshot page's user: is_snapshotuser 1, a virtual openid, no unionid", async () => {
    const res = body(await token({ ...ok, code: sim.issueOAuthCode(OFFICIAL.appId, 'cy', { snapshot: true }) }));
    expect(res).toMatchObject({ is_snapshotuser: 1 });
    expect(res.openid).not.toBe(sim.openidFor(OFFICIAL.appId, 'cy'));
    expect(res).not.toHaveProperty('unionid');
  });

  test('an app without an Open Platform account: no unionid; a website code has snsapi_login', async () => {
    expect(body(await token({ appid: LONE.appId, secret: LONE.appSecret, code: 'sim_dee_1' }))).not.toHaveProperty('unionid');
    expect(body(await token({ appid: WEBSITE.appId, secret: WEBSITE.appSecret, code: 'sim_dee_2' }))).toMatchObject({ scope: 'snsapi_login' });
  });
});

describe('sns/userinfo', () => {
  const ok = { appid: OFFICIAL.appId, secret: OFFICIAL.appSecret };

  test('the profile for a snsapi_userinfo token; 48001 for snsapi_base; 40003, 40001, 41001, 41009, 42001', async () => {
    const granted = body(await token({ ...ok, code: sim.issueOAuthCode(OFFICIAL.appId, 'eve') }));
    const accessToken = granted.access_token as string;
    const openid = granted.openid as string;
    expect(body(await userinfo({ access_token: accessToken, openid, lang: 'zh_CN' }))).toMatchObject({
      openid,
      nickname: 'eve',
      unionid: sim.unionidFor('op', 'eve'),
      headimgurl: expect.stringMatching(/^https:\/\//),
    });
    const base = body(await token({ ...ok, code: sim.issueOAuthCode(OFFICIAL.appId, 'eve', { scope: 'snsapi_base' }) }));
    expect(errcodeOf(await userinfo({ access_token: base.access_token as string, openid }))).toBe(48001);
    expect(errcodeOf(await userinfo({ access_token: accessToken, openid: sim.openidFor(OFFICIAL.appId, 'other') }))).toBe(40003);
    expect(errcodeOf(await userinfo({ access_token: 'forged', openid }))).toBe(40001);
    expect(errcodeOf(await userinfo({ openid }))).toBe(41001);
    expect(errcodeOf(await userinfo({ access_token: accessToken }))).toBe(41009);
    clock += 7201 * 1000;
    expect(errcodeOf(await userinfo({ access_token: accessToken, openid }))).toBe(42001);
  });
});

describe('consent pages', () => {
  const authorize = (path: string, params: Record<string, string>) =>
    request(base)
      .get(path)
      .query({ response_type: 'code', ...params });
  const REDIRECT = 'http://127.0.0.1:1/cb?x=1';

  test('connect/oauth2/authorize: a page with Allow / Deny; Allow sends back code and state, Deny the state alone', async () => {
    const page = await authorize('/connect/oauth2/authorize', { appid: OFFICIAL.appId, redirect_uri: REDIRECT, scope: 'snsapi_userinfo', state: 'abc123' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('data-testid="allow"');
    const form = { appid: OFFICIAL.appId, redirect_uri: REDIRECT, scope: 'snsapi_userinfo', state: 'abc123', kind: 'officialAccount', user: 'fay' };
    const allowed = await request(base)
      .post('/connect/oauth2/decide')
      .type('form')
      .send({ ...form, decision: 'allow' });
    expect(allowed.status).toBe(302);
    const back = new URL(allowed.headers.location);
    expect(back.searchParams.get('x')).toBe('1');
    expect(back.searchParams.get('state')).toBe('abc123');
    const granted = body(await token({ appid: OFFICIAL.appId, secret: OFFICIAL.appSecret, code: back.searchParams.get('code')! }));
    expect(granted.openid).toBe(sim.openidFor(OFFICIAL.appId, 'fay'));
    const denied = await request(base)
      .post('/connect/oauth2/decide')
      .type('form')
      .send({ ...form, decision: 'deny' });
    const refused = new URL(denied.headers.location);
    expect([refused.searchParams.get('state'), refused.searchParams.has('code')]).toEqual(['abc123', false]);
  });

  test('connect/qrconnect for a website app with snsapi_login', async () => {
    const page = await authorize('/connect/qrconnect', { appid: WEBSITE.appId, redirect_uri: REDIRECT, scope: 'snsapi_login', state: 's' });
    expect(page.text).toContain('data-testid="allow"');
  });

  test.each([
    ['an unknown AppID', '/connect/oauth2/authorize', { appid: 'wx9999999999999999', scope: 'snsapi_base' }],
    ['a website AppID on the Official Account page', '/connect/oauth2/authorize', { appid: WEBSITE.appId, scope: 'snsapi_base' }],
    ['an Official Account on qrconnect', '/connect/qrconnect', { appid: OFFICIAL.appId, scope: 'snsapi_login' }],
    ['a wrong scope', '/connect/qrconnect', { appid: WEBSITE.appId, scope: 'snsapi_userinfo' }],
    ['a bad redirect_uri', '/connect/oauth2/authorize', { appid: OFFICIAL.appId, scope: 'snsapi_base', redirect_uri: 'javascript:x' }],
    ['a state WeChat refuses', '/connect/oauth2/authorize', { appid: OFFICIAL.appId, scope: 'snsapi_base', state: 'a-b' }],
  ])('%s: an error page, no form', async (_what, path, params) => {
    const page = await authorize(path, { redirect_uri: REDIRECT, state: 's', ...params });
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="wechat-error"');
    expect(page.text).not.toContain('<form');
  });
});
