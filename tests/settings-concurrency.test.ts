/**
 * Admins saving the app list on two Strapi instances at the same moment (one database: SQLite by
 * default, one file for both processes; PostgreSQL or MariaDB with DATABASE_CLIENT): every change
 * is made on what the other left (a compare-and-set on the plugin store row), so
 * - apps added at once, spread over both instances, all stay, in one store row;
 * - an app edited on one instance while another removes it ends removed, never brought back; the
 *   edit answers 200 (it came first) or 404 (the app was gone);
 * Skipped, with a message, when the database server is unreachable and CI is not set.
 */
import type { Knex } from 'knex';
import { databaseServerAddress, databaseServerAnswers, InstancesOnOneDatabase, startTwoInstances, stopTwoInstances } from './helpers/instances';
import { databaseClient } from './helpers/database';
import { settingsApi } from './helpers/apps';
import { expectNoSecrets, expectStrapiError, ResponseLog } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const CLIENT = databaseClient();
const STORE_KEY = 'plugin_strapi-wechat-miniprogram-auth_settings';
/** Apps added at once in each of WAVES waves. */
const ADDS = 20;
const WAVES = 3;

const reachable = CLIENT === 'sqlite' || databaseServerAnswers(CLIENT);
if (!reachable && !process.env.CI) {
  console.warn(
    `settings-concurrency.test.ts skipped: no ${CLIENT} server answers on ${databaseServerAddress(CLIENT)} (with CI set, this is a failure instead)`
  );
}
const describeShared = reachable || process.env.CI ? describe : describe.skip;

/** A distinct AppID and AppSecret per number. */
const appNumber = (n: number) => ({
  appId: `wx${n.toString(16).padStart(16, '0')}`,
  appSecret: `${n.toString(16).padStart(8, '0')}${'c'.repeat(24)}`,
});

describeShared(`admins saving settings on two Strapi instances at once, on ${CLIENT}`, () => {
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  const responses = new ResponseLog();
  let instances: InstancesOnOneDatabase;
  let adminToken = '';
  const secrets: string[] = [];

  const apiOn = (which: 'a' | 'b') => settingsApi(instances[which].url, adminToken);
  const on = (n: number) => apiOn(n % 2 ? 'b' : 'a');
  const listedOn = async (which: 'a' | 'b') => {
    const res = responses.add(await apiOn(which).get());
    expect(res.status).toBe(200);
    return (res.body.data.apps as Array<{ appId: string; name: string | null; appSecret: { isSet: boolean } }>).map((app) => app.appId).sort();
  };
  const storeRows = (db: Knex) => db('strapi_core_store_settings').where({ key: STORE_KEY }).select('id');

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    instances = await startTwoInstances(CLIENT === 'sqlite' ? 'sqlite' : CLIENT, { name: 'settings-concurrency', pluginConfig: { apiBaseUrl } });
    const registered = await fetch(`${instances.a.url}/admin/register-admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', firstname: 'Ops', lastname: 'Admin', password: 'Settings-Concurrency-1' }),
    });
    expect(registered.status).toBe(200);
    adminToken = (await registered.json()).data.token;
  }, 240_000);

  afterAll(async () => {
    await stopTwoInstances(instances ?? {});
    await sim.stop();
    // No response carried an AppSecret.
    expectNoSecrets(responses.text(), secrets);
  }, 60_000);

  test(`${WAVES} waves of ${ADDS} apps added at once, spread over both instances: every one of them stays, in one store row`, async () => {
    const expected: string[] = [];
    for (let wave = 0; wave < WAVES; wave++) {
      const apps = Array.from({ length: ADDS }, (_, i) => ({ ...appNumber(wave * ADDS + i + 1), name: `App ${wave * ADDS + i + 1}` }));
      secrets.push(...apps.map((app) => app.appSecret));
      const answers = await Promise.all(apps.map((app, i) => on(i).addApp(app)));
      expect(answers.map((res) => responses.add(res).status)).toEqual(apps.map(() => 200));
      expected.push(...apps.map((app) => app.appId));
    }
    expected.sort();
    expect(await listedOn('a')).toEqual(expected);
    expect(await listedOn('b')).toEqual(expected);
    expect(await storeRows(instances.db)).toHaveLength(1);
  });

  test('an app edited on one instance while the other removes it ends removed; the edit is a 200 (first) or a 404 (too late)', async () => {
    const targets = Array.from({ length: 6 }, (_, i) => appNumber(WAVES * ADDS + 1 + i));
    secrets.push('d'.repeat(32));
    for (const app of targets) expect(responses.add(await apiOn('a').addApp(app)).status).toBe(200);
    const rounds = await Promise.all(
      targets.map(async (app, i) => {
        const [edit, removal] = await Promise.all([
          (i % 2 ? apiOn('a') : apiOn('b')).updateApp(app.appId, { name: 'Renamed', appSecret: 'd'.repeat(32) }),
          (i % 2 ? apiOn('b') : apiOn('a')).removeApp(app.appId),
        ]);
        responses.add(edit);
        responses.add(removal);
        return { edit, removal };
      })
    );
    for (const { edit, removal } of rounds) {
      expect(removal.status).toBe(200);
      if (edit.status !== 200) expectStrapiError(edit, 404);
    }
    for (const which of ['a', 'b'] as const) {
      const listed = await listedOn(which);
      for (const app of targets) expect(listed).not.toContain(app.appId);
      expect(listed).toHaveLength(WAVES * ADDS);
    }
  });
});
