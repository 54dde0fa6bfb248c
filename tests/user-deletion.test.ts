/**
 * Deleting a users-permissions user deletes its WeChat identities (openid, unionid, session keys),
 * whichever way it is deleted: the admin Content Manager (one entry, or several at once), DELETE
 * /api/users/:id, the entity service or the query engine from app code. The same person logging in
 * afterwards is a new person: a new user. Other users' identities are not touched.
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { registerFirstAdmin } from './helpers/admin';
import { codeFor, login } from './helpers/login';
import { allIdentities, expectStatus, identitiesOf, IdentityRow, USER_UID } from './helpers/apps';
import { cmEntryPath } from './helpers/content-manager';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const OPEN_PLATFORM = 'op-user-deletion';
const MAIN: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
const SECOND: SimulatedApp = { appId: 'wxde1e7e0000000002', appSecret: `de1e7e${'0'.repeat(25)}2`, openPlatformId: OPEN_PLATFORM };
const sim = new WeChatSimulator({ apps: [MAIN, SECOND] });
let app: TestApp;
let admin: string;
let bystanderBefore: IdentityRow[];

const openids = (name: string) => [sim.openidFor(MAIN.appId, name), sim.openidFor(SECOND.appId, name)];
/** Every identity row holding one of the person's openids, whoever it belongs to. */
const identityRowsOf = (name: string) => allIdentities(app.strapi, { openid: { $in: openids(name) } });
const userExists = async (id: number) => (await app.strapi.db.query(USER_UID).count({ where: { id } })) > 0;

/** A person who logged in from both mini programs: one user (linked by unionid), two identities. */
async function personWithTwoIdentities(name: string): Promise<{ id: number; token: string }> {
  const first = await login(app.server, { code: codeFor(name) });
  expectStatus(first, 200);
  const second = await login(app.server, { code: codeFor(name), appId: SECOND.appId });
  expectStatus(second, 200);
  expect(second.body.user.id).toBe(first.body.user.id);
  expect(await identityRowsOf(name)).toHaveLength(2);
  return { id: first.body.user.id, token: first.body.token };
}

/** The user and every identity row of the person are gone; the next login is a new user with a fresh identity. */
async function expectGoneThenNewAccount(name: string, oldId: number): Promise<void> {
  expect(await userExists(oldId)).toBe(false);
  expect(await identityRowsOf(name)).toEqual([]);
  const again = await login(app.server, { code: codeFor(name) });
  expectStatus(again, 200);
  expect(again.body.user.id).not.toBe(oldId);
  expect(await identitiesOf(app.strapi, again.body.user.id)).toEqual([
    { appId: MAIN.appId, openid: sim.openidFor(MAIN.appId, name), unionid: sim.unionidFor(OPEN_PLATFORM, name) },
  ]);
  expect(await identityRowsOf(name)).toHaveLength(1);
}

const boot = (apiBaseUrl: string, keepDatabase: boolean) =>
  startTestApp({
    name: 'user-deletion',
    keepDatabase,
    pluginConfig: {
      apiBaseUrl,
      apps: [
        { appId: MAIN.appId, appSecret: MAIN.appSecret },
        { appId: SECOND.appId, appSecret: SECOND.appSecret },
      ],
      ratelimit: { enabled: false, interval: { min: 1 }, max: 600 },
    },
  });

let apiBaseUrl: string;

beforeAll(async () => {
  apiBaseUrl = await sim.start();
  app = await boot(apiBaseUrl, false);
  admin = await registerFirstAdmin(app.server);
  await personWithTwoIdentities('bystander');
  bystanderBefore = await identityRowsOf('bystander');
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

afterEach(async () => {
  // Nobody else's identities went with a deleted user.
  expect(await identityRowsOf('bystander')).toEqual(bystanderBefore);
});

describe('deleting a user deletes its WeChat identities', () => {
  test('in the admin Content Manager (one entry)', async () => {
    const { id } = await personWithTwoIdentities('cmOne');
    const res = await request(app.server).delete(cmEntryPath(USER_UID, id)).set('Authorization', `Bearer ${admin}`);
    expectStatus(res, 200);
    await expectGoneThenNewAccount('cmOne', id);
  });

  test('in the admin Content Manager (several entries at once: bulk delete)', async () => {
    const a = await personWithTwoIdentities('cmBulkA');
    const b = await personWithTwoIdentities('cmBulkB');
    const res = await request(app.server)
      .post(`${cmEntryPath(USER_UID)}/actions/bulkDelete`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ ids: [a.id, b.id] });
    expectStatus(res, 200);
    expect(res.body).toEqual({ count: 2 });
    await expectGoneThenNewAccount('cmBulkA', a.id);
    await expectGoneThenNewAccount('cmBulkB', b.id);
  });

  test('through DELETE /api/users/:id by a caller allowed to (the user deleting its own account)', async () => {
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    await app.strapi.db.query('plugin::users-permissions.permission').create({ data: { action: 'plugin::users-permissions.user.destroy', role: role.id } });
    const { id, token } = await personWithTwoIdentities('apiDelete');
    const res = await request(app.server).delete(`/api/users/${id}`).set('Authorization', `Bearer ${token}`);
    expectStatus(res, 200);
    await expectGoneThenNewAccount('apiDelete', id);
  });

  test('through strapi.entityService.delete from app code', async () => {
    const { id } = await personWithTwoIdentities('entityService');
    await app.strapi.entityService.delete(USER_UID, id);
    await expectGoneThenNewAccount('entityService', id);
  });

  test("through the query engine's deleteMany from app code", async () => {
    const a = await personWithTwoIdentities('queryManyA');
    const b = await personWithTwoIdentities('queryManyB');
    expect(await app.strapi.db.query(USER_UID).deleteMany({ where: { id: { $in: [a.id, b.id] } } })).toEqual({ count: 2 });
    await expectGoneThenNewAccount('queryManyA', a.id);
    await expectGoneThenNewAccount('queryManyB', b.id);
  });

  test("inside app code's transaction: rolled back, the user and its identities stay; committed, both are gone", async () => {
    const { id } = await personWithTwoIdentities('inTransaction');
    const before = await identityRowsOf('inTransaction');
    await expect(
      app.strapi.db.transaction(async () => {
        await app.strapi.db.query(USER_UID).delete({ where: { id } });
        throw new Error('changed my mind');
      })
    ).rejects.toThrow('changed my mind');
    expect(await userExists(id)).toBe(true);
    expect(await identityRowsOf('inTransaction')).toEqual(before);
    const same = await login(app.server, { code: codeFor('inTransaction') });
    expect(same.body.user?.id).toBe(id);

    await app.strapi.db.transaction(() => app.strapi.db.query(USER_UID).delete({ where: { id } }));
    await expectGoneThenNewAccount('inTransaction', id);
  });
});

describe('identities left behind by an earlier version, whose user no longer exists', () => {
  test('do not stop the login (a new user), and are deleted at the next start', async () => {
    const { id } = await personWithTwoIdentities('leftBehind');
    // What earlier versions left: the user row deleted (its link rows go with it), the identity rows kept.
    await app.strapi.db.connection('up_users').where({ id }).del();
    expect((await identityRowsOf('leftBehind')).map((o) => o.userId)).toEqual([null, null]);

    const res = await login(app.server, { code: codeFor('leftBehind') });
    expectStatus(res, 200);
    expect(res.body.user.id).not.toBe(id);
    expect(await identitiesOf(app.strapi, res.body.user.id)).toEqual([
      { appId: MAIN.appId, openid: sim.openidFor(MAIN.appId, 'leftBehind'), unionid: sim.unionidFor(OPEN_PLATFORM, 'leftBehind') },
    ]);

    // The other mini program's row still belongs to nobody: the next start deletes it.
    await app.stop();
    app = await boot(apiBaseUrl, true);
    expect((await identityRowsOf('leftBehind')).map(({ appId, userId }) => ({ appId, userId }))).toEqual([{ appId: MAIN.appId, userId: res.body.user.id }]);
    const fromSecond = await login(app.server, { code: codeFor('leftBehind'), appId: SECOND.appId });
    expectStatus(fromSecond, 200);
    expect(fromSecond.body.user.id).toBe(res.body.user.id);
  });
});
