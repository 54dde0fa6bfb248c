/**
 * Login activity with two Strapi processes on one database (PostgreSQL; MariaDB/MySQL when DATABASE_CLIENT=mysql),
 * as behind a load balancer: each counts its own logins in memory and flushes every 200 ms while the other does the
 * same, on the same rows; the stored counts are the sum of both, whichever instance the admin reads through.
 * Skipped, with a message, when the database server is unreachable and CI is not set.
 */
import type { Knex } from 'knex';
import { Instance, startTwoInstances, stopTwoInstances, describeOnDatabaseServer } from './helpers/instances';
import { DatabaseSpec, sharedDatabaseClient } from './helpers/database';
import { ADMIN_PASSWORD } from './helpers/admin';
import { faultCode, login } from './helpers/login';
import { SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';
import { dayFormatter } from '../server/activity/counter';

const CLIENT = sharedDatabaseClient();
const APP: SimulatedApp = { appId: 'wx0c0c0c0c0c0c0c0c', appSecret: '0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c' };
const USERS = 12;
const RETURNING_PER_USER = 4;
const FAILURES = 10;

const describeShared = describeOnDatabaseServer(CLIENT, 'activity-two-instances.test.ts');

describeShared(`login activity from two Strapi instances on one ${CLIENT} database`, () => {
  const sim = new WeChatSimulator({ apps: [APP] });
  let a: Instance;
  let b: Instance;
  let database: DatabaseSpec;
  let db: Knex;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    const pluginConfig = { apiBaseUrl, timeout: 10000, apps: [APP], activity: { flushIntervalMs: 200 } };
    ({ a, b, database, db } = await startTwoInstances(CLIENT, { name: 'activity-two', pluginConfig }));
  }, 240_000);

  afterAll(async () => {
    await stopTwoInstances({ a, b, database, db });
    await sim.stop();
  }, 60_000);

  const stored = async () =>
    Object.fromEntries(
      (await db('wechat_login_activity').select('kind', 'code', 'count')).map((row: { kind: string; code: string; count: number | string }) => [
        `${row.kind}${row.code ? `:${row.code}` : ''}`,
        Number(row.count),
      ])
    );

  test('logins and failures spread over both instances at once: the stored counts are their sum, one row per key', async () => {
    const instances = [a, b];
    const expectStatus = async (instance: Instance, body: unknown, status: number) => expect((await login(instance.url, body)).status).toBe(status);
    // First logins, each user on one instance; then every user's returning logins and the failures, all at once on both.
    await Promise.all(Array.from({ length: USERS }, (_, i) => expectStatus(instances[i % 2], { code: sim.issueCode(APP.appId, `user${i}`) }, 200)));
    await Promise.all([
      ...Array.from({ length: USERS * RETURNING_PER_USER }, (_, i) =>
        expectStatus(instances[(i + Math.floor(i / USERS)) % 2], { code: sim.issueCode(APP.appId, `user${i % USERS}`) }, 200)
      ),
      ...Array.from({ length: FAILURES }, (_, i) => expectStatus(instances[i % 2], { code: faultCode('err40029') }, 400)),
    ]);
    const expected = { new: USERS, returning: USERS * RETURNING_PER_USER, 'error:40029': FAILURES };
    // Each instance's timer flushes what it counted within 200 ms.
    const deadline = Date.now() + 15_000;
    while (JSON.stringify(await stored()) !== JSON.stringify(expected) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await stored()).toEqual(expected);
    expect(await db('wechat_login_activity').count({ n: '*' })).toEqual([{ n: expect.anything() }]);
    expect(Number((await db('wechat_login_activity').count({ n: '*' }))[0].n)).toBe(3);

    // The admin reads the same sums through either instance.
    const registered = await fetch(`${a.url}/admin/register-admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'activity-two@example.com', firstname: 'Super', lastname: 'Admin', password: ADMIN_PASSWORD }),
    });
    const token = ((await registered.json()) as { data: { token: string } }).data.token;
    const today = dayFormatter('Asia/Shanghai')(Date.now());
    for (const instance of instances) {
      const res = await fetch(`${instance.url}/strapi-wechat-miniprogram-auth/activity?days=7`, { headers: { authorization: `Bearer ${token}` } });
      const { data } = (await res.json()) as {
        data: { logins: Array<{ day: string; new: number; returning: number }>; errors: Array<{ day: string; code: string; count: number }> };
      };
      expect(data.logins.find((row) => row.day === today)).toMatchObject({ new: USERS, returning: USERS * RETURNING_PER_USER });
      expect(data.errors).toEqual([{ day: today, appId: APP.appId, code: '40029', count: FAILURES }]);
    }
  }, 120_000);
});
