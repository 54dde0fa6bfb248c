/**
 * Browser logins on Strapi 5 (tests/strapi5/app, in the style of tests/strapi5.test.ts): an Official Account login
 * through the simulator's consent page, the one-time code exchanged for { jwt, refreshToken, user } in
 * jwtManagement 'refresh' ({ jwt, user } in its default mode), the same user as the mini program's where a unionid
 * links them; a redirect off the allow-list and a forged state refused. SQLite, and PostgreSQL when it answers.
 * Skipped, with a message, when the app's dependencies are not installed and CI is not set.
 */
import request from 'supertest';
import { codeFor, expectStrapiError, login } from './helpers/login';
import { databaseServerAnswers } from './helpers/instances';
import { dropDatabase, freshDatabase, type DatabaseSpec } from './helpers/database';
import { startStrapi5, STRAPI5_APP, type Strapi5App, describeOnStrapi5 } from './helpers/strapi5';
import { browserLogin, callback, callbackUrlFor, exchange, OAUTH_PATH, startLogin } from './helpers/oauth';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const OPEN_PLATFORM = 'op-strapi5-oauth';
const MINI: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
const OFFICIAL: SimulatedApp = {
  appId: 'wx3333333333333333',
  appSecret: '33333333333333333333333333333333',
  type: 'officialAccount',
  openPlatformId: OPEN_PLATFORM,
};
const PAGE = 'https://h5.example.com/wechat/back';

const describeV5 = describeOnStrapi5('strapi5-oauth.test.ts');
const DATABASES: Array<'sqlite' | 'postgres'> = ['sqlite', ...(databaseServerAnswers('postgres') || process.env.CI ? (['postgres'] as const) : [])];

const sim = new WeChatSimulator({ apps: [MINI, OFFICIAL] });
let apiBaseUrl: string;
beforeAll(async () => {
  apiBaseUrl = await sim.start();
});
afterAll(() => sim.stop());

const pluginConfig = () => ({
  apiBaseUrl,
  apps: [
    { appId: MINI.appId, appSecret: MINI.appSecret },
    { appId: OFFICIAL.appId, appSecret: OFFICIAL.appSecret, type: 'officialAccount' },
  ],
  oauth: { redirectAllowList: [PAGE], authorizeBaseUrl: apiBaseUrl },
  ratelimit: { enabled: false },
});

describeV5.each(DATABASES)("Strapi 5 on %s, jwtManagement 'refresh': browser logins", (client) => {
  let app: Strapi5App;
  let database: DatabaseSpec | undefined;

  beforeAll(async () => {
    if (client === 'postgres') database = await freshDatabase('strapi5-oauth', STRAPI5_APP, 'postgres');
    app = await startStrapi5({ pluginConfig: pluginConfig(), jwtManagement: 'refresh', database });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    if (database) await dropDatabase(database);
  }, 30_000);

  test('the mini program user logs in through the Official Account: { jwt, refreshToken, user }, the same user, a working session', async () => {
    const mini = await login(app.url, { code: codeFor('yue') });
    expect(mini.status).toBe(200);
    const page = await browserLogin(app.url, OFFICIAL.appId, PAGE, 'yue');
    const res = await exchange(app.url, { code: page.searchParams.get('login_code') });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'refreshToken', 'user']);
    expect(res.body.user).toMatchObject({ id: mini.body.user.id, documentId: mini.body.user.documentId, openid: sim.openidFor(OFFICIAL.appId, 'yue') });
    for (const field of ['password', 'unionid', 'wechatSessionKey', 'wechatIdentities']) expect(res.body.user).not.toHaveProperty(field);
    const me = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.body.id).toBe(mini.body.user.id);
    const refreshed = await request(app.url).post('/api/auth/refresh').send({ refreshToken: res.body.refreshToken });
    expect(refreshed.status).toBe(200);
    const again = await exchange(app.url, { code: page.searchParams.get('login_code') });
    expectStrapiError(again, 400);
  });

  test('a redirect off the allow-list and a forged state: 400 in Strapi 5’s error format; no cookie, nothing created', async () => {
    const off = await request(app.url).get(`${OAUTH_PATH}/${OFFICIAL.appId}/authorize`).query({ redirect: 'https://evil.example.com/' });
    expectStrapiError(off, 400);
    expect(off.headers['set-cookie']).toBeUndefined();
    const forged = await request(app.url)
      .get(`${OAUTH_PATH}/${OFFICIAL.appId}/callback`)
      .query({ state: 'ef'.repeat(32), code: sim.issueOAuthCode(OFFICIAL.appId, 'zed') });
    expectStrapiError(forged, 400);
  });

  test('without the cookie: back to the page with error=state_mismatch', async () => {
    const started = await startLogin(app.url, OFFICIAL.appId, PAGE);
    const { location } = await callback(app.url, callbackUrlFor(app.url, OFFICIAL.appId, started.state, sim.issueOAuthCode(OFFICIAL.appId, 'zed')));
    expect(location!.searchParams.get('error')).toBe('state_mismatch');
  });
});
