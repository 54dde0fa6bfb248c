/**
 * Logging in on the web by scanning a mini program code on Strapi 5 (tests/strapi5/app with this
 * repository's build linked in, SQLite and PostgreSQL, the WeChat simulator): the whole path, the browser's login
 * answered as the mini program's login is in each jwtManagement mode (legacy-support: a JWT;
 * refresh: an access token and a refresh token users-permissions accepts), and the tickets hidden
 * from the Content Manager. Skipped, with a message, when the app's dependencies are not installed
 * and CI is not set.
 */
import request from 'supertest';
import { registerFirstAdmin } from './helpers/admin';
import { dropDatabase, freshDatabase, type DatabaseSpec } from './helpers/database';
import { databaseServerAnswers } from './helpers/instances';
import { expectNoSecrets, login, ResponseLog } from './helpers/login';
import { createTicket, CreatedTicket, QR_LOGIN_UID, readTicket, ticketAction } from './helpers/qr-login';
import { startStrapi5, STRAPI5_APP, type Strapi5App, describeOnStrapi5 } from './helpers/strapi5';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const APP = DEMO_APP;
const JWT_SECRET = 'strapi5-qr-login-jwt-secret';

const describeV5 = describeOnStrapi5('qr-login-strapi5.test.ts');

const sim = new WeChatSimulator({ apps: [APP] });
const responses = new ResponseLog();
let apiBaseUrl: string;

beforeAll(async () => {
  apiBaseUrl = await sim.start();
});

afterAll(async () => {
  await sim.stop();
});

const pluginConfig = () => ({
  apiBaseUrl,
  appId: APP.appId,
  appSecret: APP.appSecret,
  ratelimit: { enabled: false },
  qrLogin: { enabled: true, page: 'pages/qr-login/index', envVersion: 'develop', checkPath: false },
});

/** Create, scan, confirm; then the first read (the login) and a second one. */
async function scanAndConfirm(app: Strapi5App, user: string) {
  const created = responses.add(await createTicket(app.url));
  expect(created.status).toBe(200);
  const { ticket, secret } = created.body as CreatedTicket;
  const mini = responses.add(await login(app.url, { code: sim.issueCode(APP.appId, user) }));
  expect(mini.status).toBe(200);
  const scan = responses.add(await ticketAction(app.url, ticket, 'scan', mini.body.token));
  expect(scan.body).toMatchObject({ status: 'scanned', browser: { device: 'Chrome 120 on macOS 10.15.7 (desktop)', network: '127.0.0.0/24' } });
  expect(responses.add(await ticketAction(app.url, ticket, 'confirm', mini.body.token)).status).toBe(200);
  const first = responses.add(await readTicket(app.url, ticket, secret));
  const second = responses.add(await readTicket(app.url, ticket, secret));
  return { mini: mini.body as { token: string; user: { id: number; documentId: string } }, first, second, secret };
}

/** SQLite always; PostgreSQL too when its server answers (with CI set, it must). */
const DATABASES: Array<'sqlite' | 'postgres'> = ['sqlite', ...(databaseServerAnswers('postgres') || process.env.CI ? (['postgres'] as const) : [])];

describeV5.each(DATABASES)('Strapi 5 on %s, jwtManagement legacy-support: the QR login', (client) => {
  let app: Strapi5App;
  let database: DatabaseSpec | undefined;

  beforeAll(async () => {
    if (client === 'postgres') database = await freshDatabase('qr-strapi5', STRAPI5_APP, 'postgres');
    app = await startStrapi5({ pluginConfig: pluginConfig(), jwtSecret: JWT_SECRET, database });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    if (database) await dropDatabase(database);
  }, 30_000);

  test('create → scan → confirm → { status, jwt, user } once, the user sanitized as users-permissions 5 does it', async () => {
    const { mini, first, second, secret } = await scanAndConfirm(app, 'v5-alice');
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['jwt', 'status', 'user']);
    expect(first.body.user).toMatchObject({ id: mini.user.id, documentId: mini.user.documentId });
    expect(first.body.user).not.toHaveProperty('password');
    const me = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${first.body.jwt}`);
    expect(me.body.documentId).toBe(mini.user.documentId);
    expect(second.body).toEqual({ status: 'confirmed' });
    expectNoSecrets(app.output.join(''), [secret, first.body.jwt]);
  });

  test('the tickets are not displayed in the Content Manager', async () => {
    const adminToken = await registerFirstAdmin(app.url);
    const types = await request(app.url).get('/content-manager/content-types').set('Authorization', `Bearer ${adminToken}`);
    expect(types.status).toBe(200);
    const entry = (types.body.data as Array<{ uid: string; isDisplayed: boolean }>).find((t) => t.uid === QR_LOGIN_UID);
    expect(entry?.isDisplayed).toBe(false);
  });
});

describeV5("Strapi 5, jwtManagement 'refresh': the QR login", () => {
  let app: Strapi5App;

  beforeAll(async () => {
    app = await startStrapi5({ pluginConfig: pluginConfig(), jwtSecret: JWT_SECRET, jwtManagement: 'refresh' });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  test("the browser's login is an access token and a refresh token, as the mini program's login in that mode", async () => {
    const { first, second } = await scanAndConfirm(app, 'v5-ivy');
    expect(Object.keys(first.body).sort()).toEqual(['jwt', 'refreshToken', 'status', 'user']);
    const refreshed = await request(app.url).post('/api/auth/refresh').send({ refreshToken: first.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${refreshed.body.jwt}`)).status).toBe(200);
    expect(second.body).toEqual({ status: 'confirmed' });
  });
});
