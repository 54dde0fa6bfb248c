/**
 * Two Strapi processes with the plugin on one database (PostgreSQL; MariaDB/MySQL when
 * DATABASE_CLIENT=mysql), as behind a load balancer:
 * - apps saved through instance A's admin API are used by instance B within credentialsCacheTtl,
 *   and so is a new default app;
 * - 220 logins for 20 new openids, spread over both instances at once, make exactly 20 users,
 *   each openid with one id everywhere, and every answer is a 200 or a clean 429;
 * - 20 first logins from one mini program and 20 from another, for one new person (one unionid),
 *   spread over both instances at once, make exactly one user with two identities.
 * Skipped, with a message, when the database server is unreachable and CI is not set.
 */
import type { Knex } from 'knex';
import { Instance, startTwoInstances, stopTwoInstances, describeOnDatabaseServer } from './helpers/instances';
import { DatabaseSpec, sharedDatabaseClient } from './helpers/database';
import { codeFor, expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const CLIENT = sharedDatabaseClient();
const OPEN_PLATFORM = 'op-two-instances';
const FIRST_APP: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
const OTHER_APP: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210', openPlatformId: OPEN_PLATFORM };
/** The plugin's default credentialsCacheTtl: how long an instance may keep using the app list it read. */
const CACHE_TTL = 3000;
const USERS = 20;
const LOGINS_PER_USER = 11;

const describeShared = describeOnDatabaseServer(CLIENT, 'two-instances.test.ts');

interface IdentityRow {
  app_id: string;
  openid: string;
  unionid: string | null;
  user_id: number | string | null;
}

/**
 * Every row of the identity table (docs/design: `wechat_identities`) with its user's id: from a
 * user_id column, or from Strapi's link table when the relation is stored as one.
 */
async function identityRows(db: Knex): Promise<IdentityRow[]> {
  const columns = await db('wechat_identities').columnInfo();
  if ('user_id' in columns) return db('wechat_identities').select('app_id', 'openid', 'unionid', 'user_id');
  return db('wechat_identities as i')
    .leftJoin('wechat_identities_user_links as l', 'l.identity_id', 'i.id')
    .select('i.app_id', 'i.openid', 'i.unionid', 'l.user_id');
}

describeShared(`two Strapi instances on one ${CLIENT} database`, () => {
  const sim = new WeChatSimulator({ apps: [FIRST_APP, OTHER_APP] });
  const responses = new ResponseLog();
  let a: Instance;
  let b: Instance;
  let database: DatabaseSpec;
  let db: Knex;
  let adminToken: string;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    // No credentials in config: the plugin store (the database both share) is where they live.
    // A generous WeChat deadline: 2 shared cores run both instances, the simulator and 220 clients at once.
    const pluginConfig = { apiBaseUrl, timeout: 10000 };
    ({ a, b, database, db } = await startTwoInstances(CLIENT, { name: 'two-instances', pluginConfig }));
  }, 240_000);

  afterAll(async () => {
    await stopTwoInstances({ a, b, database, db });
    await sim.stop();
  }, 60_000);

  const post = async (instance: Instance, body: unknown) => responses.add(await login(instance.url, body));

  async function adminOnA(method: 'POST' | 'PUT', path: string, body: unknown) {
    const res = await fetch(`${a.url}/strapi-wechat-miniprogram-auth/settings${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify(body),
    });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
  }

  /** Logs `user` in on `instance` until `done` says the answer shows the change (or the deadline passes). */
  async function loginUntil(instance: Instance, user: string, done: (res: Awaited<ReturnType<typeof login>>) => boolean) {
    const started = Date.now();
    for (;;) {
      const res = await post(instance, { code: codeFor(user) });
      if (done(res) || Date.now() - started > CACHE_TTL + 3000) return { res, waited: Date.now() - started };
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('apps saved through instance A are used by instance B within credentialsCacheTtl, and so is a new default app', async () => {
    const unconfigured = await post(b, { code: codeFor('early') });
    expectStrapiError(unconfigured, 503);

    // The first admin, registered on A as the admin panel's welcome form does.
    const registered = await fetch(`${a.url}/admin/register-admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', firstname: 'Ops', lastname: 'Admin', password: 'Two-Instances-1' }),
    });
    expect(registered.status).toBe(200);
    adminToken = (await registered.json()).data.token;

    await adminOnA('POST', '/apps', { appId: FIRST_APP.appId, appSecret: FIRST_APP.appSecret, name: 'First' });
    const onB = await loginUntil(b, 'bob', (res) => res.status === 200);
    expect(onB.res.status).toBe(200);
    expect(onB.waited).toBeLessThanOrEqual(CACHE_TTL + 1000);
    expect(onB.res.body.user.openid).toBe(sim.openidFor(FIRST_APP.appId, 'bob'));

    // Another mini program, made the default: openids are per AppID, so the openid shows which app B used.
    await adminOnA('POST', '/apps', { appId: OTHER_APP.appId, appSecret: OTHER_APP.appSecret, name: 'Other' });
    await adminOnA('PUT', '/default', { appId: OTHER_APP.appId });
    const otherOpenid = sim.openidFor(OTHER_APP.appId, 'bob');
    const afterSwitch = await loginUntil(b, 'bob', (res) => res.body?.user?.openid === otherOpenid);
    expect(afterSwitch.res.status).toBe(200);
    expect(afterSwitch.waited).toBeLessThanOrEqual(CACHE_TTL + 1000);
    expect(afterSwitch.res.body.user.openid).toBe(otherOpenid);
    // Both mini programs are bound to one Open Platform account: the same person, the same user.
    expect(afterSwitch.res.body.user.id).toBe(onB.res.body.user.id);
    const onA = await post(a, { code: codeFor('bob'), appId: FIRST_APP.appId });
    expect(onA.body.user.id).toBe(onB.res.body.user.id);
  });

  test(`${USERS * LOGINS_PER_USER} logins for ${USERS} new openids across both instances at once: exactly ${USERS} users`, async () => {
    const names = Array.from({ length: USERS }, (_, i) => `crowd${i}`);
    const openids = names.map((n) => sim.openidFor(OTHER_APP.appId, n));
    const logins = Array.from({ length: USERS * LOGINS_PER_USER }, (_, i) => ({
      user: names[i % USERS],
      instance: (i + Math.floor(i / USERS)) % 2 ? b : a,
    }));
    const results = await Promise.all(logins.map(async ({ user, instance }) => ({ user, res: await post(instance, { code: codeFor(user) }) })));

    const idsByOpenid = new Map<string, Set<number>>();
    let ok = 0;
    for (const { user, res } of results) {
      if (res.status === 429) {
        expectStrapiError(res, 429);
        continue;
      }
      expect({ user, status: res.status }).toEqual({ user, status: 200 });
      ok += 1;
      expect(res.body.user.openid).toBe(sim.openidFor(OTHER_APP.appId, user));
      const ids = idsByOpenid.get(res.body.user.openid) ?? new Set<number>();
      ids.add(res.body.user.id);
      idsByOpenid.set(res.body.user.openid, ids);
    }
    expect(ok).toBeGreaterThanOrEqual(USERS);
    for (const ids of idsByOpenid.values()) expect(ids.size).toBe(1);

    // In the database both instances share: one identity per openid, each on a user of its own with its one role.
    const rows = (await identityRows(db)).filter((r) => r.app_id === OTHER_APP.appId && openids.includes(r.openid));
    expect(rows).toHaveLength(USERS);
    expect(new Set(rows.map((r) => r.openid)).size).toBe(USERS);
    expect(new Set(rows.map((r) => Number(r.user_id))).size).toBe(USERS);
    const links = await db('up_users_role_links')
      .whereIn(
        'user_id',
        rows.map((r) => r.user_id)
      )
      .select('user_id');
    expect(links).toHaveLength(USERS);

    // And each instance, asked again, answers with that same id.
    const idOf = new Map(rows.map((r) => [r.openid, Number(r.user_id)]));
    for (const [i, name] of names.entries()) {
      for (const instance of [a, b]) {
        const res = await post(instance, { code: codeFor(name) });
        expect({ name, status: res.status, id: res.body.user?.id }).toEqual({ name, status: 200, id: idOf.get(openids[i]) });
      }
    }
  });

  test.each(['duo1', 'duo2', 'duo3'])(
    '20 first logins from each of two mini programs for one new person (%s), spread over both instances at once: one user, two identities',
    async (name) => {
      const unionid = sim.unionidFor(OPEN_PLATFORM, name);
      const apps = [FIRST_APP, OTHER_APP];
      const logins = Array.from({ length: 40 }, (_, i) => ({ app: apps[i % 2], instance: Math.floor(i / 2) % 2 ? b : a }));
      const results = await Promise.all(
        logins.map(async ({ app, instance }) => ({ app, res: await post(instance, { code: codeFor(name), appId: app.appId }) }))
      );
      const ids = new Set<number>();
      for (const { app, res } of results) {
        expect({ app: app.appId, status: res.status, openid: res.body.user?.openid }).toEqual({
          app: app.appId,
          status: 200,
          openid: sim.openidFor(app.appId, name),
        });
        ids.add(res.body.user.id);
      }
      expect(ids.size).toBe(1);
      const [id] = [...ids];

      const identities = (await identityRows(db)).filter((r) => r.unionid === unionid);
      expect(identities.map((r) => ({ app: r.app_id, openid: r.openid, user: Number(r.user_id) })).sort((x, y) => x.app.localeCompare(y.app))).toEqual(
        apps.map((app) => ({ app: app.appId, openid: sim.openidFor(app.appId, name), user: id })).sort((x, y) => x.app.localeCompare(y.app))
      );
      expect((await db('up_users').where({ unionid }).select('id')).map((r) => Number(r.id))).toEqual([id]);
      expect(await db('up_users_role_links').where({ user_id: id }).select('user_id')).toHaveLength(1);
    }
  );

  test('neither instance showed the AppSecrets or a session_key, in a response or in its log', () => {
    const secrets = [FIRST_APP.appSecret, OTHER_APP.appSecret, ...sim.issuedSessionKeys];
    expectNoSecrets(responses.text(), secrets);
    expectNoSecrets(a.output.join('') + b.output.join(''), secrets);
    expect(a.output.join('') + b.output.join('')).toMatch(/POST \/strapi-wechat-miniprogram-auth\/login/);
  });
});
