/**
 * openid, unionid and the session key belong to the plugin alone, and WeChat users are complete
 * users-permissions users that the admin Content Manager can open, edit and save.
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { codeFor, login } from './helpers/login';
import { identityFor, userByOpenid } from './helpers/identities';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const USER_UID = 'plugin::users-permissions.user';
const sim = new WeChatSimulator({ apps: [{ ...DEMO_APP, openPlatformId: 'op-identity' }] });
let app: TestApp;

const users = () => app.strapi.db.query(USER_UID);

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'identity',
    pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

async function registerLocal(username: string, extra: Record<string, unknown> = {}) {
  return request(app.server)
    .post('/api/auth/local/register')
    .send({ username, email: `${username}@example.com`, password: 'Password123!', ...extra });
}

describe('openid squatting through users-permissions routes', () => {
  const victimOpenid = () => sim.openidFor(DEMO_APP.appId, 'victim');
  const victimUnionid = () => sim.unionidFor('op-identity', 'victim');

  test('register with a victim openid creates a plain local account without it', async () => {
    const res = await registerLocal('attacker', {
      openid: victimOpenid(),
      unionid: victimUnionid(),
      wechatSessionKey: 'stolen',
    });
    expect(res.status).toBe(200);
    const attacker = await users().findOne({ where: { username: 'attacker' } });
    expect(attacker).toMatchObject({ openid: null, unionid: null, wechatSessionKey: null, provider: 'local' });
  });

  test("the victim's WeChat login gets the victim's own account, not the attacker's", async () => {
    const res = await login(app.server, { code: codeFor('victim') });
    expect(res.status).toBe(200);
    expect(res.body.user.username).not.toBe('attacker');
    expect(res.body.user.openid).toBe(victimOpenid());
    const attacker = await users().findOne({ where: { username: 'attacker' } });
    expect(res.body.user.id).not.toBe(attacker.id);
  });

  test('PUT /api/users/:id cannot set or change openid, unionid or the session key', async () => {
    // Give authenticated users the update permission, so the request reaches users-permissions' update.
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    await app.strapi.db.query('plugin::users-permissions.permission').create({ data: { action: 'plugin::users-permissions.user.update', role: role.id } });

    const reg = await registerLocal('attacker2');
    const attackerId = reg.body.user.id;
    const put = await request(app.server)
      .put(`/api/users/${attackerId}`)
      .set('Authorization', `Bearer ${reg.body.jwt}`)
      .send({ openid: victimOpenid(), unionid: victimUnionid(), wechatSessionKey: 'x', username: 'attacker2b' });
    expect(put.status).toBe(200);
    const after = await users().findOne({ where: { id: attackerId } });
    expect(after.username).toBe('attacker2b'); // the request did go through
    expect(after).toMatchObject({ openid: null, unionid: null, wechatSessionKey: null });

    // And a WeChat user's own identity cannot be rewritten by that route either.
    const victim = (await userByOpenid(app.strapi, victimOpenid()))!;
    const victimJwt = app.strapi.plugin('users-permissions').service('jwt').issue({ id: victim.id });
    await request(app.server)
      .put(`/api/users/${victim.id}`)
      .set('Authorization', `Bearer ${victimJwt}`)
      .send({ openid: 'oSomeoneElse', wechatSessionKey: 'x', unionid: 'uSomeoneElse', wechatIdentities: { connect: [], disconnect: [victim.identity.id] } });
    const victimAfter = await users().findOne({ where: { id: victim.id } });
    expect(victimAfter.openid).toBeNull();
    expect(victimAfter.unionid).toBe(victim.unionid);
    const identityAfter = await identityFor(app.strapi, victimOpenid());
    expect(identityAfter).toMatchObject({ openid: victimOpenid(), sessionKey: victim.identity.sessionKey, user: { id: victim.id } });
  });

  test('/api/users/me shows neither the openid nor the session key', async () => {
    const res = await login(app.server, { code: codeFor('victim') });
    const me = await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(me.body).not.toHaveProperty('openid');
    expect(me.body).not.toHaveProperty('wechatSessionKey');
    expect(me.body).not.toHaveProperty('unionid');
  });

  test('a WeChat user has no usable password: /api/auth/local refuses it', async () => {
    const res = await login(app.server, { code: codeFor('victim') });
    const local = await request(app.server).post('/api/auth/local').send({ identifier: res.body.user.email, password: '' });
    expect(local.status).toBe(400);
    expect(local.body).not.toHaveProperty('jwt');
  });
});

describe('the admin Content Manager', () => {
  let adminToken: string;
  const cm = (path: string) => `/content-manager/collection-types/${USER_UID}${path}`;

  beforeAll(async () => {
    const res = await request(app.server)
      .post('/admin/register-admin')
      .send({ email: 'admin@example.com', firstname: 'Ada', lastname: 'Admin', password: 'Admin12345' });
    expect(res.status).toBe(200);
    adminToken = res.body.data.token;
  });

  test('opens, edits and saves a WeChat user without validation errors, keeping its identity', async () => {
    const loginRes = await login(app.server, { code: codeFor('editme'), userInfo: { nickName: 'Edit Me' } });
    const id = loginRes.body.user.id;
    const openid = sim.openidFor(DEMO_APP.appId, 'editme');
    const identityBefore = (await identityFor(app.strapi, openid))!;
    expect(identityBefore.sessionKey).toBeTruthy();
    const opened = await request(app.server)
      .get(cm(`/${id}`))
      .set('Authorization', `Bearer ${adminToken}`);
    expect(opened.status).toBe(200);
    // The identities show as a relation of the user (the edit view lists them read-only).
    expect(opened.body.wechatIdentities).toEqual({ count: 1 });
    const listed = await request(app.server).get(`/content-manager/relations/${USER_UID}/${id}/wechatIdentities`).set('Authorization', `Bearer ${adminToken}`);
    expect(listed.status).toBe(200);
    expect(listed.body.results).toEqual([expect.objectContaining({ id: identityBefore.id })]);

    // Save what the edit form holds, with one change, as the Content Manager does.
    const { id: _id, createdAt, updatedAt, createdBy, updatedBy, ...form } = opened.body;
    const saved = await request(app.server)
      .put(cm(`/${id}`))
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ ...form, blocked: true, role: { connect: [], disconnect: [] }, wechatIdentities: { connect: [], disconnect: [{ id: identityBefore.id }] } });
    if (saved.status !== 200) console.log(JSON.stringify(saved.body), app.logs.lines.filter((l) => l.includes('error')).join('\n'));
    expect(saved.status).toBe(200);
    const after = await users().findOne({ where: { id } });
    expect(after.blocked).toBe(true);
    expect(await identityFor(app.strapi, openid)).toMatchObject({ id: identityBefore.id, sessionKey: identityBefore.sessionKey, user: { id } });

    const blocked = await login(app.server, { code: codeFor('editme') });
    expect(blocked.status).toBe(403);
  });

  test('identities cannot be created, changed or deleted through the Content Manager', async () => {
    const loginRes = await login(app.server, { code: codeFor('cmidentity') });
    const identity = (await identityFor(app.strapi, loginRes.body.user.openid))!;
    const ids = `/content-manager/collection-types/plugin::strapi-wechat-miniprogram-auth.identity`;
    const auth = { Authorization: `Bearer ${adminToken}` };
    const created = await request(app.server).post(ids).set(auth).send({ appId: DEMO_APP.appId, openid: 'oForged', user: loginRes.body.user.id });
    const changed = await request(app.server).put(`${ids}/${identity.id}`).set(auth).send({ openid: 'oForged' });
    const deleted = await request(app.server).delete(`${ids}/${identity.id}`).set(auth);
    for (const res of [created, changed, deleted]) expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await identityFor(app.strapi, 'oForged')).toBeNull();
    expect(await identityFor(app.strapi, loginRes.body.user.openid)).toMatchObject({ id: identity.id, user: { id: loginRes.body.user.id } });
  });
});
