/**
 * The settings API when config/plugins (env) sets credentials: those values are reported with
 * source "config", cannot be saved from the admin panel (the config would win anyway), and the
 * other value can still come from the admin panel.
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { registerFirstAdmin } from './helpers/admin';
import { codeFor, expectStrapiError, login } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const BASE = '/strapi-wechat-miniprogram-auth/settings';
const sim = new WeChatSimulator();
let app: TestApp;
let token: string;

const put = (body: object) => request(app.server).put(BASE).set('Authorization', `Bearer ${token}`).send(body);
const get = () => request(app.server).get(BASE).set('Authorization', `Bearer ${token}`);

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  // The AppID from config (env), the AppSecret left to the admin panel.
  app = await startTestApp({
    name: 'admin-settings-config',
    pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId },
    files: {
      'config/server.js': `module.exports = () => ({ host: '127.0.0.1', port: 0, url: 'https://api.example.com/', app: { keys: ['testKeyA', 'testKeyB'] } });\n`,
    },
  });
  token = await registerFirstAdmin(app.server);
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

test('a value from config is reported as such, and the login URL uses server.url', async () => {
  const res = await get();
  expect(res.status).toBe(200);
  expect(res.body.data).toEqual({
    configured: false,
    appId: { value: DEMO_APP.appId, source: 'config' },
    appSecret: { isSet: false, last4: null, source: null },
    login: { path: '/strapi-wechat-miniprogram-auth/login', url: 'https://api.example.com/strapi-wechat-miniprogram-auth/login' },
  });
});

test('saving the AppID that config sets is refused with 400 naming the field', async () => {
  const res = await put({ appId: 'wxfedcba9876543210', appSecret: DEMO_APP.appSecret });
  expectStrapiError(res, 400);
  expect(res.body.error.details.errors).toEqual([
    expect.objectContaining({ path: ['appId'], message: expect.stringMatching(/set in config\/plugins/) }),
  ]);
});

test('the AppSecret alone can be saved from the admin panel, and the login then works', async () => {
  const res = await put({ appSecret: DEMO_APP.appSecret });
  expect(res.status).toBe(200);
  expect(res.body.data).toMatchObject({
    configured: true,
    appId: { value: DEMO_APP.appId, source: 'config' },
    appSecret: { isSet: true, last4: DEMO_APP.appSecret.slice(-4), source: 'store' },
  });
  expect(res.text).not.toContain(DEMO_APP.appSecret);
  expect((await login(app.server, { code: codeFor('carol') })).status).toBe(200);
});

test('the credential check uses the AppID from config when none is entered', async () => {
  const res = await request(app.server).post(`${BASE}/test`).set('Authorization', `Bearer ${token}`).send({});
  expect(res.body.data).toMatchObject({ ok: true, appId: DEMO_APP.appId });
});
