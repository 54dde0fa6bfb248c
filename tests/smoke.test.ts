import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { WeChatSimulator, DEMO_APP } from '../simulator/wechat-simulator';

let app: TestApp;
const sim = new WeChatSimulator();

beforeAll(async () => {
  const baseUrl = await sim.start();
  app = await startTestApp({ name: 'smoke', pluginConfig: { apiBaseUrl: baseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret } });
});
afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

test('login', async () => {
  const res = await request(app.server).post('/strapi-wechat-miniprogram-auth/login').send({ code: 'sim_alice_1' });
  console.log(res.status, JSON.stringify(res.body));
  const me = await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${res.body.token}`);
  console.log(me.status, JSON.stringify(me.body));
});
