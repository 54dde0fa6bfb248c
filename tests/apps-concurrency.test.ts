/**
 * Several mini programs on one Strapi (docs/design/apps-and-identities.md): apps from config and
 * from the admin API, one person's identities linked by unionid, apps not bound to an Open Platform
 * account, the late-binding conflict, simultaneous first logins from two apps, identity data that
 * only the plugin writes, and `linkByUnionid: false`.
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { registerFirstAdmin } from './helpers/admin';
import { codeFor, expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { allIdentities, expectStatus, IDENTITY_UID, identitiesOf, logLines, rawInsert, settingsApi, USER_UID } from './helpers/apps';
import { cmEntryPath, openEntry, relationOf, saveEntry } from './helpers/content-manager';
import { SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const OPEN_PLATFORM = 'op-apps';
/** In config, bound to the Open Platform account. */
const APP_A: SimulatedApp = { appId: 'wxa000000000000001', appSecret: 'a0000000000000000000000000000001', openPlatformId: OPEN_PLATFORM };
/** Saved through the admin API, bound to the same account. */
const APP_B: SimulatedApp = { appId: 'wxb000000000000002', appSecret: 'b0000000000000000000000000000002', openPlatformId: OPEN_PLATFORM };
/** In config without its secret (the admin API provides it); not bound to any Open Platform account. */
const APP_C: SimulatedApp = { appId: 'wxc000000000000003', appSecret: 'c0000000000000000000000000000003' };
/** In config; bound to the account only later in the test. */
const APP_LATE: SimulatedApp = { appId: 'wxd000000000000004', appSecret: 'd0000000000000000000000000000004' };
const NOT_CONFIGURED = 'wxe000000000000005';
const SECRETS = [APP_A, APP_B, APP_C, APP_LATE].map((a) => a.appSecret);
const RATELIMIT_OFF = { enabled: false, interval: { min: 1 }, max: 600 };

const sim = new WeChatSimulator({ apps: [APP_A, APP_B, APP_C, APP_LATE] });
const responses = new ResponseLog();
const openid = (app: SimulatedApp, name: string) => sim.openidFor(app.appId, name);
const unionid = (name: string) => sim.unionidFor(OPEN_PLATFORM, name);
const byAppId = <T extends { appId: string }>(rows: T[]) => [...rows].sort((a, b) => a.appId.localeCompare(b.appId));

let apiBaseUrl: string;
beforeAll(async () => {
  apiBaseUrl = await sim.start();
});
afterAll(async () => {
  await sim.stop();
});

describe('one Strapi, four mini programs, linking by unionid (the default)', () => {
  let app: TestApp;
  let admin: string;
  const post = async (body: unknown) => responses.add(await login(app.server, body));
  const countUsers = () => app.strapi.db.query(USER_UID).count();
  const userRow = (id: number) => app.strapi.db.connection('up_users').where({ id }).first();
  const usersHolding = (u: string) => app.strapi.db.connection('up_users').where({ unionid: u }).select('id');

  beforeAll(async () => {
    app = await startTestApp({
      name: 'apps-concurrency',
      pluginConfig: {
        apiBaseUrl,
        ratelimit: RATELIMIT_OFF,
        apps: [
          { appId: APP_A.appId, appSecret: APP_A.appSecret, name: 'A' },
          { appId: APP_C.appId, name: 'C' },
          { appId: APP_LATE.appId, appSecret: APP_LATE.appSecret },
        ],
      },
    });
    admin = await registerFirstAdmin(app.server);
  });

  afterAll(async () => {
    await app?.stop();
  });

  describe('apps', () => {
    test('an app saved through the admin API joins the config apps; a config app without secret gets one there', async () => {
      const api = settingsApi(app.server, admin);
      expectStatus(await api.addApp({ appId: APP_B.appId, appSecret: APP_B.appSecret, name: 'B' }), 200);
      expectStatus(await api.updateApp(APP_C.appId, { appSecret: APP_C.appSecret }), 200);
      const res = responses.add(await api.get());
      expectStatus(res, 200);
      expect(res.body.data).toMatchObject({ configured: true, defaultAppId: APP_A.appId, defaultAppIdSource: 'first', linkByUnionid: true });
      expect(
        res.body.data.apps.map((a: { appId: string; source: string; isDefault: boolean; appSecret: { source: string } }) => ({
          appId: a.appId,
          source: a.source,
          isDefault: a.isDefault,
          secret: a.appSecret.source,
        }))
      ).toEqual([
        { appId: APP_A.appId, source: 'config', isDefault: true, secret: 'config' },
        { appId: APP_C.appId, source: 'config', isDefault: false, secret: 'store' },
        { appId: APP_LATE.appId, source: 'config', isDefault: false, secret: 'config' },
        { appId: APP_B.appId, source: 'store', isDefault: false, secret: 'store' },
      ]);
    });

    test('a login without appId uses the default app; with one, that app', async () => {
      const plain = await post({ code: codeFor('dana') });
      expectStatus(plain, 200);
      expect(plain.body.user.openid).toBe(openid(APP_A, 'dana'));
      const viaC = await post({ code: codeFor('dana'), appId: APP_C.appId });
      expectStatus(viaC, 200);
      expect(viaC.body.user.openid).toBe(openid(APP_C, 'dana'));
    });

    test('one person with one unionid, from A then B: one user with two identities', async () => {
      const users = await countUsers();
      const fromA = await post({ code: codeFor('erin'), appId: APP_A.appId });
      const fromB = await post({ code: codeFor('erin'), appId: APP_B.appId });
      expectStatus(fromA, 200);
      expectStatus(fromB, 200);
      expect(fromB.body.user.id).toBe(fromA.body.user.id);
      expect(fromA.body.user.openid).toBe(openid(APP_A, 'erin'));
      expect(fromB.body.user.openid).toBe(openid(APP_B, 'erin'));
      expect(fromB.body.user).not.toHaveProperty('unionid');
      expect(await countUsers()).toBe(users + 1);
      expect(await identitiesOf(app.strapi, fromA.body.user.id)).toEqual(
        byAppId([
          { appId: APP_A.appId, openid: openid(APP_A, 'erin'), unionid: unionid('erin') },
          { appId: APP_B.appId, openid: openid(APP_B, 'erin'), unionid: unionid('erin') },
        ])
      );
      expect((await userRow(fromA.body.user.id)).unionid).toBe(unionid('erin'));
      // And back on A: still the one account.
      expect((await post({ code: codeFor('erin'), appId: APP_A.appId })).body.user.id).toBe(fromA.body.user.id);
    });

    test('an AppID spelled in capitals is the same app: the same user, no second identity', async () => {
      const before = await post({ code: codeFor('erin'), appId: APP_A.appId });
      const identities = await identitiesOf(app.strapi, before.body.user.id);
      const res = await post({ code: codeFor('erin'), appId: APP_A.appId.toUpperCase() });
      expect([200, 400]).toContain(res.status);
      if (res.status === 200) expect(res.body.user).toMatchObject({ id: before.body.user.id, openid: openid(APP_A, 'erin') });
      expect(await identitiesOf(app.strapi, before.body.user.id)).toEqual(identities);
    });

    test('a blocked user logging in from another app for the first time: 403, no identity added', async () => {
      const fromA = await post({ code: codeFor('bea'), appId: APP_A.appId });
      expectStatus(fromA, 200);
      await app.strapi.db.connection('up_users').where({ id: fromA.body.user.id }).update({ blocked: true });
      const fromB = await post({ code: codeFor('bea'), appId: APP_B.appId });
      expectStrapiError(fromB, 403);
      expect(await identitiesOf(app.strapi, fromA.body.user.id)).toHaveLength(1);
      expect(await allIdentities(app.strapi, { openid: openid(APP_B, 'bea') })).toEqual([]);
    });

    test('an app not bound to an Open Platform account (no unionid) gets its own user', async () => {
      const fromA = await post({ code: codeFor('frank'), appId: APP_A.appId });
      const fromC = await post({ code: codeFor('frank'), appId: APP_C.appId });
      expectStatus(fromA, 200);
      expectStatus(fromC, 200);
      expect(fromC.body.user.id).not.toBe(fromA.body.user.id);
      expect(await identitiesOf(app.strapi, fromC.body.user.id)).toEqual([{ appId: APP_C.appId, openid: openid(APP_C, 'frank'), unionid: null }]);
      expect((await post({ code: codeFor('frank'), appId: APP_C.appId })).body.user.id).toBe(fromC.body.user.id);
    });

    test('an appId that is not configured: 400 naming it, WeChat not asked, nothing created', async () => {
      const users = await countUsers();
      const calls = sim.stats.code2session;
      const res = await post({ code: codeFor('gus'), appId: NOT_CONFIGURED });
      expectStrapiError(res, 400);
      expect(res.body.error.message).toContain(NOT_CONFIGURED);
      expect(sim.stats.code2session).toBe(calls);
      expect(await countUsers()).toBe(users);
    });

    test.each([
      ['not an AppID', 'not-an-appid'],
      ['too short', 'wx0123'],
      ['not hexadecimal', 'wx0123456789abcdeg'],
      ['a trailing space', `${APP_A.appId} `],
      ['a number', 123],
      ['an empty string', ''],
      ['an array', [APP_A.appId]],
      ['an object', { $ne: null }],
    ])('a malformed appId (%s): 400, WeChat not asked', async (_label, appId) => {
      const users = await countUsers();
      const calls = sim.stats.code2session;
      const res = await post({ code: codeFor('gus'), appId });
      expectStrapiError(res, 400);
      expect(sim.stats.code2session).toBe(calls);
      expect(await countUsers()).toBe(users);
    });

    test('a removed store app answers 400 until it is added again; then the same identities log in again', async () => {
      const before = await post({ code: codeFor('erin'), appId: APP_B.appId });
      expectStatus(before, 200);
      const api = settingsApi(app.server, admin);
      expectStatus(await api.removeApp(APP_B.appId), 200);
      const removed = await post({ code: codeFor('erin'), appId: APP_B.appId });
      expectStrapiError(removed, 400);
      expect(removed.body.error.message).toContain(APP_B.appId);
      expectStatus(await api.addApp({ appId: APP_B.appId, appSecret: APP_B.appSecret, name: 'B' }), 200);
      const again = await post({ code: codeFor('erin'), appId: APP_B.appId });
      expectStatus(again, 200);
      expect(again.body.user.id).toBe(before.body.user.id);
      expect(await identitiesOf(app.strapi, before.body.user.id)).toHaveLength(2);
    });

    test('an app bound later (conflict): both accounts kept, the login stays on the first, exactly one warning without openid or unionid', async () => {
      const first = await post({ code: codeFor('late'), appId: APP_LATE.appId });
      expectStatus(first, 200);
      expect(await identitiesOf(app.strapi, first.body.user.id)).toEqual([{ appId: APP_LATE.appId, openid: openid(APP_LATE, 'late'), unionid: null }]);
      const second = await post({ code: codeFor('late'), appId: APP_B.appId });
      expectStatus(second, 200);
      expect(second.body.user.id).not.toBe(first.body.user.id);
      expect((await userRow(second.body.user.id)).unionid).toBe(unionid('late'));

      // The mini program gets bound to the Open Platform account: WeChat now sends the unionid for it too.
      sim.addApp({ ...APP_LATE, openPlatformId: OPEN_PLATFORM });
      const mark = app.logs.lines.length;
      const conflict = await post({ code: codeFor('late'), appId: APP_LATE.appId });
      expectStatus(conflict, 200);
      expect(conflict.body.user.id).toBe(first.body.user.id);

      const warnings = logLines(app.logs, 'warn', mark);
      expect(warnings).toHaveLength(1);
      const personal = [openid(APP_LATE, 'late'), openid(APP_B, 'late'), unionid('late'), ...sim.issuedSessionKeys];
      expectNoSecrets(JSON.stringify(warnings), personal);

      // Both accounts are still there and each app still lands on its own.
      expect((await userRow(first.body.user.id)).unionid ?? null).toBeNull();
      expect(await usersHolding(unionid('late'))).toEqual([{ id: second.body.user.id }]);
      expect((await post({ code: codeFor('late'), appId: APP_B.appId })).body.user.id).toBe(second.body.user.id);
      expect((await post({ code: codeFor('late'), appId: APP_LATE.appId })).body.user.id).toBe(first.body.user.id);
      // One warning for the conflict, not one per login.
      expect(logLines(app.logs, 'warn', mark)).toHaveLength(1);
    });

    test("an identity whose user was deleted is re-attached to the new user made at its next login; the person's other app lands there too", async () => {
      const fromA = await post({ code: codeFor('otto'), appId: APP_A.appId });
      const fromB = await post({ code: codeFor('otto'), appId: APP_B.appId });
      expect(fromB.body.user.id).toBe(fromA.body.user.id);
      const deleted = await request(app.server).delete(cmEntryPath(USER_UID, fromA.body.user.id)).set('Authorization', `Bearer ${admin}`);
      expectStatus(deleted, 200);
      const users = await countUsers();

      const again = await post({ code: codeFor('otto'), appId: APP_A.appId });
      expectStatus(again, 200);
      expect(again.body.user.id).not.toBe(fromA.body.user.id);
      const fromOtherApp = await post({ code: codeFor('otto'), appId: APP_B.appId });
      expectStatus(fromOtherApp, 200);
      expect(fromOtherApp.body.user.id).toBe(again.body.user.id);

      expect(await countUsers()).toBe(users + 1);
      expect(await allIdentities(app.strapi, { unionid: unionid('otto') })).toHaveLength(2);
      expect(await identitiesOf(app.strapi, again.body.user.id)).toEqual(
        byAppId([
          { appId: APP_A.appId, openid: openid(APP_A, 'otto'), unionid: unionid('otto') },
          { appId: APP_B.appId, openid: openid(APP_B, 'otto'), unionid: unionid('otto') },
        ])
      );
      expect(await usersHolding(unionid('otto'))).toEqual([{ id: again.body.user.id }]);
    });

    test("the admin API counts each app's identities", async () => {
      const res = await settingsApi(app.server, admin).get();
      expectStatus(res, 200);
      const counted = Object.fromEntries(res.body.data.apps.map((a: { appId: string; identities: number }) => [a.appId, a.identities]));
      const actual: Record<string, number> = {};
      for (const identity of await allIdentities(app.strapi)) actual[identity.appId] = (actual[identity.appId] ?? 0) + 1;
      expect(counted).toEqual(Object.fromEntries(Object.keys(counted).map((appId) => [appId, actual[appId] ?? 0])));
      expect(counted[APP_A.appId]).toBeGreaterThan(0);
    });

    test('the composite (app, openid) index and the unionid index are real unique indexes', async () => {
      expectStatus(await post({ code: codeFor('ida'), appId: APP_A.appId }), 200);
      const [existing] = await allIdentities(app.strapi, { appId: APP_A.appId, openid: openid(APP_A, 'ida') });
      const refusal = await rawInsert(app.strapi, IDENTITY_UID, { appId: existing.appId, openid: existing.openid });
      expect(refusal?.message).toMatch(/unique|duplicate/i);
      const sameOpenidOtherApp = await rawInsert(app.strapi, IDENTITY_UID, { appId: NOT_CONFIGURED, openid: existing.openid });
      expect(sameOpenidOtherApp).toBeNull();
      // (Cleaned up through knex too: the plugin refuses identity writes it does not make.)
      const { tableName, attributes } = app.strapi.db.metadata.get(IDENTITY_UID);
      await app.strapi.db
        .connection(tableName)
        .where({ [attributes.appId.columnName ?? 'appId']: NOT_CONFIGURED })
        .del();

      const taken = await rawInsert(app.strapi, USER_UID, { username: 'dupe', email: 'dupe@example.com', unionid: unionid('ida') });
      expect(taken?.message).toMatch(/unique|duplicate/i);
    });
  });

  describe('simultaneous first logins', () => {
    const PER_APP = 20;

    async function race(name: string, apps: SimulatedApp[]) {
      const bodies = Array.from({ length: PER_APP * apps.length }, (_, i) => ({ code: codeFor(name), appId: apps[i % apps.length].appId }));
      const results = await Promise.all(bodies.map((body) => post(body)));
      return results.map((res, i) => ({ appId: bodies[i].appId, status: res.status, id: res.body?.user?.id, openid: res.body?.user?.openid }));
    }

    test.each(['race1', 'race2', 'race3'])(
      `${PER_APP} from A and ${PER_APP} from B at once, for one new person (%s): exactly one user with two identities`,
      async (name) => {
        const users = await countUsers();
        const results = await race(name, [APP_A, APP_B]);
        for (const r of results) {
          const from = r.appId === APP_A.appId ? APP_A : APP_B;
          expect(r).toEqual({ appId: r.appId, status: 200, id: results[0].id, openid: openid(from, name) });
        }
        const id = results[0].id as number;
        expect(await countUsers()).toBe(users + 1);
        expect(await identitiesOf(app.strapi, id)).toEqual(
          byAppId([
            { appId: APP_A.appId, openid: openid(APP_A, name), unionid: unionid(name) },
            { appId: APP_B.appId, openid: openid(APP_B, name), unionid: unionid(name) },
          ])
        );
        expect(await allIdentities(app.strapi, { unionid: unionid(name) })).toHaveLength(2);
        expect(await usersHolding(unionid(name))).toEqual([{ id }]);
        const [{ n }] = await app.strapi.db.connection('up_users_role_links').where({ user_id: id }).count({ n: '*' });
        expect(Number(n)).toBe(1);
      }
    );

    test(`after the user is deleted, ${PER_APP} from A and ${PER_APP} from B at once: one new user holding both identities`, async () => {
      const [first] = await race('phoenix', [APP_A, APP_B]);
      expect(first.status).toBe(200);
      expectStatus(
        await request(app.server)
          .delete(cmEntryPath(USER_UID, first.id as number))
          .set('Authorization', `Bearer ${admin}`),
        200
      );
      const users = await countUsers();

      const results = await race('phoenix', [APP_A, APP_B]);
      expect(results.map((r) => r.status)).toEqual(Array(2 * PER_APP).fill(200));
      const ids = new Set(results.map((r) => r.id));
      expect(ids.size).toBe(1);
      const [id] = [...ids] as number[];
      expect(id).not.toBe(first.id);
      expect(await countUsers()).toBe(users + 1);
      expect((await identitiesOf(app.strapi, id)).map((i) => i.appId)).toEqual([APP_A.appId, APP_B.appId].sort());
      expect(await allIdentities(app.strapi, { unionid: unionid('phoenix') })).toHaveLength(2);
      expect(await usersHolding(unionid('phoenix'))).toEqual([{ id }]);
    });

    test(`${PER_APP} at once from B for someone A already knows: one new identity on that user`, async () => {
      const known = await post({ code: codeFor('known'), appId: APP_A.appId });
      expectStatus(known, 200);
      const users = await countUsers();
      const results = await race('known', [APP_B]);
      expect(results.map((r) => [r.status, r.id])).toEqual(Array(PER_APP).fill([200, known.body.user.id]));
      expect(await countUsers()).toBe(users);
      expect(await identitiesOf(app.strapi, known.body.user.id)).toHaveLength(2);
    });
  });

  describe("identity data is the plugin's alone", () => {
    let erin: { id: number; identityIds: number[] };
    let erinJwt: string;

    beforeAll(async () => {
      const res = await post({ code: codeFor('erin'), appId: APP_A.appId });
      expectStatus(res, 200);
      erinJwt = res.body.token;
      erin = { id: res.body.user.id, identityIds: (await allIdentities(app.strapi, { user: { id: res.body.user.id } })).map((i) => i.id).sort() };
      expect(erin.identityIds).toHaveLength(2);
      // Let authenticated users reach users-permissions' update route.
      const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
      await app.strapi.db.query('plugin::users-permissions.permission').create({ data: { action: 'plugin::users-permissions.user.update', role: role.id } });
    });

    const snapshot = async () => allIdentities(app.strapi);

    test('/api/auth/local/register cannot take identities, an openid or a unionid', async () => {
      const before = await snapshot();
      const res = responses.add(
        await request(app.server)
          .post('/api/auth/local/register')
          .send({
            username: 'squatter',
            email: 'squatter@example.com',
            password: 'Password123!',
            wechatIdentities: erin.identityIds,
            openid: openid(APP_A, 'erin'),
            unionid: unionid('erin'),
          })
      );
      expect([200, 400]).toContain(res.status);
      expect(await snapshot()).toEqual(before);
      const squatter = await app.strapi.db.connection('up_users').where({ username: 'squatter' }).first();
      if (squatter) {
        expect({ openid: squatter.openid, unionid: squatter.unionid }).toEqual({ openid: null, unionid: null });
        expect(await identitiesOf(app.strapi, squatter.id)).toEqual([]);
      }
      // erin still logs into erin's account.
      expect((await post({ code: codeFor('erin'), appId: APP_B.appId })).body.user.id).toBe(erin.id);
    });

    test('PUT /api/users/:id cannot move, drop, set or change identities, openid or unionid', async () => {
      const reg = responses.add(
        await request(app.server).post('/api/auth/local/register').send({ username: 'mover', email: 'mover@example.com', password: 'Password123!' })
      );
      expectStatus(reg, 200);
      const before = await snapshot();
      const attempts: Array<[number, string, Record<string, unknown>]> = [
        [reg.body.user.id, reg.body.jwt, { wechatIdentities: erin.identityIds, openid: openid(APP_A, 'erin'), unionid: unionid('erin'), username: 'mover2' }],
        [reg.body.user.id, reg.body.jwt, { wechatIdentities: { connect: erin.identityIds.map((id) => ({ id })) } }],
        [erin.id, erinJwt, { wechatIdentities: [], unionid: 'oSomethingElse', openid: 'oSomethingElse' }],
        [erin.id, erinJwt, { wechatIdentities: { disconnect: erin.identityIds.map((id) => ({ id })) } }],
      ];
      for (const [id, jwt, body] of attempts) {
        const res = responses.add(await request(app.server).put(`/api/users/${id}`).set('Authorization', `Bearer ${jwt}`).send(body));
        expect([200, 400]).toContain(res.status);
        expect(await snapshot()).toEqual(before);
      }
      // The request did go through where it was allowed to.
      expect((await app.strapi.db.connection('up_users').where({ id: reg.body.user.id }).first()).username).toBe('mover2');
      expect((await userRow(erin.id)).unionid).toBe(unionid('erin'));
    });

    test("the Content Manager shows a user's identities", async () => {
      const opened = await openEntry(app.server, admin, USER_UID, erin.id);
      expectStatus(opened, 200);
      expect(opened.body.wechatIdentities).toEqual({ count: 2 });
      const listed = await relationOf(app.server, admin, USER_UID, erin.id, 'wechatIdentities');
      expectStatus(listed, 200);
      expect(listed.body.results.map((r: { id: number }) => r.id).sort()).toEqual(erin.identityIds);
    });

    test('saving users through the Content Manager cannot move, drop or change identities, openid or unionid', async () => {
      const other = await app.strapi.db.connection('up_users').where({ username: 'mover2' }).first();
      const before = await snapshot();
      const sessionKeys = (await allIdentities(app.strapi, { user: { id: erin.id } })).map((i) => i.sessionKey);

      const dropping = await saveEntry(
        app.strapi,
        app.server,
        admin,
        USER_UID,
        erin.id,
        { unionid: 'oChanged', openid: 'oChanged', blocked: false },
        {
          wechatIdentities: { disconnect: erin.identityIds.map((id) => ({ id })) },
        }
      );
      expect([200, 400, 403]).toContain(dropping.status);
      expect(await snapshot()).toEqual(before);

      const taking = await saveEntry(
        app.strapi,
        app.server,
        admin,
        USER_UID,
        other.id,
        { unionid: unionid('erin') },
        {
          wechatIdentities: { connect: erin.identityIds.map((id) => ({ id })) },
        }
      );
      expect([200, 400, 403]).toContain(taking.status);
      expect(await snapshot()).toEqual(before);
      expect((await allIdentities(app.strapi, { user: { id: erin.id } })).map((i) => i.sessionKey)).toEqual(sessionKeys);
      expect((await userRow(erin.id)).unionid).toBe(unionid('erin'));
      expect((await userRow(other.id)).unionid ?? null).toBeNull();

      // A plain edit of a WeChat user still saves.
      const edit = await saveEntry(app.strapi, app.server, admin, USER_UID, erin.id, { blocked: false });
      expectStatus(edit, 200);
      expect(await snapshot()).toEqual(before);
    });

    test('identities cannot be created, reassigned or deleted through the Content Manager', async () => {
      const before = await snapshot();
      const other = await app.strapi.db.connection('up_users').where({ username: 'mover2' }).first();
      const auth = { Authorization: `Bearer ${admin}` };
      const created = await request(app.server)
        .post(cmEntryPath(IDENTITY_UID))
        .set(auth)
        .send({ appId: APP_A.appId, openid: 'oForgedOpenid000000000000000', user: { connect: [{ id: other.id }] } });
      expect(created.status).toBeGreaterThanOrEqual(400);
      expect(created.status).toBeLessThan(500);
      const moved = await request(app.server)
        .put(cmEntryPath(IDENTITY_UID, erin.identityIds[0]))
        .set(auth)
        .send({ user: { connect: [{ id: other.id }] }, openid: 'oForgedOpenid000000000000000' });
      expect(moved.status).toBeGreaterThanOrEqual(400);
      expect(moved.status).toBeLessThan(500);
      const deleted = await request(app.server).delete(cmEntryPath(IDENTITY_UID, erin.identityIds[0])).set(auth);
      expect(deleted.status).toBeGreaterThanOrEqual(400);
      expect(deleted.status).toBeLessThan(500);
      expect(await snapshot()).toEqual(before);
    });
  });

  test('no response and no log line carried an AppSecret or a session_key', () => {
    expectNoSecrets(responses.text() + app.logs.text(), [...SECRETS, ...sim.issuedSessionKeys]);
  });
});

describe('linkByUnionid: false', () => {
  let app: TestApp;
  const post = async (body: unknown) => responses.add(await login(app.server, body));
  const unionidColumn = async (id: number) => (await app.strapi.db.connection('up_users').where({ id }).first()).unionid ?? null;

  beforeAll(async () => {
    app = await startTestApp({
      name: 'apps-no-linking',
      pluginConfig: {
        apiBaseUrl,
        ratelimit: RATELIMIT_OFF,
        linkByUnionid: false,
        apps: [
          { appId: APP_A.appId, appSecret: APP_A.appSecret },
          { appId: APP_B.appId, appSecret: APP_B.appSecret },
        ],
      },
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  test('the admin API says so', async () => {
    const admin = await registerFirstAdmin(app.server);
    const res = await settingsApi(app.server, admin).get();
    expectStatus(res, 200);
    expect(res.body.data.linkByUnionid).toBe(false);
  });

  test('one person from two apps of one Open Platform account: two users, and up_users.unionid stays empty', async () => {
    const fromA = await post({ code: codeFor('hana'), appId: APP_A.appId });
    const fromB = await post({ code: codeFor('hana'), appId: APP_B.appId });
    expectStatus(fromA, 200);
    expectStatus(fromB, 200);
    expect(fromB.body.user.id).not.toBe(fromA.body.user.id);
    expect(await unionidColumn(fromA.body.user.id)).toBeNull();
    expect(await unionidColumn(fromB.body.user.id)).toBeNull();
    expect((await post({ code: codeFor('hana'), appId: APP_A.appId })).body.user.id).toBe(fromA.body.user.id);
    expect((await post({ code: codeFor('hana'), appId: APP_B.appId })).body.user.id).toBe(fromB.body.user.id);
  });

  test('20 + 20 simultaneous first logins from A and B: exactly one user per app', async () => {
    const users = await app.strapi.db.query(USER_UID).count();
    const bodies = Array.from({ length: 40 }, (_, i) => ({ code: codeFor('ivan'), appId: (i % 2 ? APP_B : APP_A).appId }));
    const results = await Promise.all(bodies.map((b) => post(b)));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    const idOf = (appId: string) => new Set(results.filter((_, i) => bodies[i].appId === appId).map((r) => r.body.user.id));
    expect(idOf(APP_A.appId).size).toBe(1);
    expect(idOf(APP_B.appId).size).toBe(1);
    expect([...idOf(APP_A.appId)][0]).not.toBe([...idOf(APP_B.appId)][0]);
    expect(await app.strapi.db.query(USER_UID).count()).toBe(users + 2);
  });
});
