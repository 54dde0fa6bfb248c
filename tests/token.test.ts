/**
 * An app that has replaced users-permissions' jwt.issue (src/extensions) gets its own tokens from
 * WeChat logins too: the plugin's faster signer steps aside.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { codeFor, login } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const sim = new WeChatSimulator({ apps: [DEMO_APP] });
let app: TestApp;

const customIssue = `module.exports = (plugin) => {
  const factory = plugin.services.jwt;
  plugin.services.jwt = (context) => {
    const service = factory(context);
    const issue = service.issue;
    return { ...service, issue(payload, options = {}) { return issue.call(this, { ...payload, iss: 'my-app' }, options); } };
  };
  return plugin;
};
`;

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'token',
    pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret },
    files: { 'src/extensions/users-permissions/strapi-server.js': customIssue },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

test("a customised users-permissions jwt.issue is what signs the WeChat login's token", async () => {
  const res = await login(app.server, { code: codeFor('custom') });
  expect(res.status).toBe(200);
  expect(jwt.decode(res.body.token)).toMatchObject({ id: res.body.user.id, iss: 'my-app' });
  const me = await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${res.body.token}`);
  expect(me.status).toBe(200);
  expect(me.body.id).toBe(res.body.user.id);
});
