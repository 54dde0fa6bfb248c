/**
 * The rate limits on a Redis store (ratelimit.store: { type: 'redis' }):
 * - two Strapi processes on one database and one Redis share one login budget and one per-user budget;
 * - when Redis stops answering (paused) or goes away (killed), logins keep working without waiting
 *   on it (fail open, logged once per outage, no address or key in any log line), and the limit
 *   comes back with Redis.
 * Needs Redis (redis-cli, redis-server; REDIS_URL, default redis://127.0.0.1:6379) and, for the
 * two instances, PostgreSQL (MariaDB with DATABASE_CLIENT=mysql). Skipped with a warning when they are
 * unreachable and CI is not set.
 */
import request from 'supertest';
import { databaseServerAddress, databaseServerAnswers, startTwoInstances, stopTwoInstances, type InstancesOnOneDatabase } from './helpers/instances';
import { sharedDatabaseClient } from './helpers/database';
import { codeFor, expectStrapiError, LOGIN_PATH, ResponseLog } from './helpers/login';
import { startTestApp, TestApp } from './helpers/test-app';
import { deleteKeys, describeWithRedis, keysUnder, OwnRedis, REDIS_URL, uniquePrefix } from './helpers/redis';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const describeRedis = describeWithRedis('rate-limit-redis.test.ts');
const CLIENT = sharedDatabaseClient();
const databaseReachable = databaseServerAnswers(CLIENT);
if (!databaseReachable && !process.env.CI) {
  console.warn(`rate-limit-redis.test.ts: the two-instance test skipped: no ${CLIENT} server answers on ${databaseServerAddress(CLIENT)}`);
}
const describeTwoInstances = databaseReachable || process.env.CI ? describeRedis : describe.skip;

const sim = new WeChatSimulator();
const responses = new ResponseLog();
let apiBaseUrl: string;
beforeAll(async () => {
  apiBaseUrl = await sim.start();
});
afterAll(() => sim.stop());

const credentials = () => ({ apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret });

/** A login from `client` (the plugin trusts one proxy: the last X-Forwarded-For entry is the client). */
async function loginFrom(server: string, client: string, user = 'redis') {
  return responses.add(
    await request(server)
      .post(LOGIN_PATH)
      .set('X-Forwarded-For', client)
      .send({ code: codeFor(user) })
  );
}

describeTwoInstances(`two Strapi instances (${CLIENT}) on one Redis`, () => {
  const prefix = uniquePrefix('two-instances');
  let instances: Partial<InstancesOnOneDatabase> = {};
  const CLIENT_ADDRESS = '203.0.113.50';

  beforeAll(async () => {
    const pluginConfig = {
      ...credentials(),
      ratelimit: {
        enabled: true,
        interval: { min: 1 },
        max: 4,
        trustedProxies: 1,
        perUser: { phone: { interval: { min: 1 }, max: 2 } },
        store: { type: 'redis', url: REDIS_URL, prefix },
      },
    };
    instances = await startTwoInstances(CLIENT, { name: 'ratelimit-redis', pluginConfig });
  }, 240_000);

  afterAll(async () => {
    await stopTwoInstances(instances);
    deleteKeys(prefix);
  }, 60_000);

  test('share one login budget per client address', async () => {
    const { a, b } = instances as InstancesOnOneDatabase;
    const seen: number[] = [];
    for (const instance of [a, b, a, b, a, b]) seen.push((await loginFrom(instance.url, CLIENT_ADDRESS)).status);
    expect(seen).toEqual([200, 200, 200, 200, 429, 429]);
    expectStrapiError(await loginFrom(b.url, CLIENT_ADDRESS), 429);
    // Counted in Redis, under the configured prefix.
    expect(keysUnder(prefix).length).toBeGreaterThan(0);
  });

  test('share one per-user budget (POST /phone)', async () => {
    const { a, b } = instances as InstancesOnOneDatabase;
    const token = (await loginFrom(a.url, '203.0.113.51', 'val')).body.token as string;
    const bind = async (url: string) =>
      responses.add(
        await request(url)
          .post(`/api/${PLUGIN}/phone`)
          .set('Authorization', `Bearer ${token}`)
          .send({ code: sim.issuePhoneCode(DEMO_APP.appId, 'val') })
      ).status;
    expect([await bind(a.url), await bind(b.url), await bind(a.url), await bind(b.url)]).toEqual([200, 200, 429, 429]);
  });
});

describeRedis('when Redis stops answering or goes away', () => {
  const prefix = uniquePrefix('outage');
  const CLIENT_ADDRESS = '203.0.113.77';
  let redis: OwnRedis;
  let app: TestApp;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    app = await startTestApp({
      name: 'ratelimit-redis-outage',
      pluginConfig: {
        ...credentials(),
        ratelimit: { enabled: true, interval: { min: 5 }, max: 2, trustedProxies: 1, store: { type: 'redis', url: redis.url, prefix, timeout: 200 } },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await redis?.kill();
  }, 60_000);

  const outageLines = () => app.logs.lines.filter((line) => line.includes('the Redis store does not answer'));
  const recoveryLines = () => app.logs.lines.filter((line) => line.includes('the Redis store answers again'));

  /** Logins while Redis is out: all go through, none waits on Redis much longer than its 200 ms. */
  async function loginsGoThrough(count: number) {
    for (let i = 0; i < count; i += 1) {
      const started = Date.now();
      const res = await loginFrom(app.server, CLIENT_ADDRESS);
      expect({ status: res.status, counted: 'x-ratelimit-limit' in res.headers, fast: Date.now() - started < 1500 }).toEqual({
        status: 200,
        counted: false,
        fast: true,
      });
    }
  }

  /** Logs in until the limit answers again (a 429), within `withinMs`; returns the statuses seen. */
  async function loginsUntilLimited(withinMs: number): Promise<number[]> {
    const seen: number[] = [];
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      const { status } = await loginFrom(app.server, CLIENT_ADDRESS);
      seen.push(status);
      if (status === 429) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return seen;
  }

  test('counted in Redis while it answers', async () => {
    expect([(await loginFrom(app.server, CLIENT_ADDRESS)).status, (await loginFrom(app.server, CLIENT_ADDRESS)).status]).toEqual([200, 200]);
    expectStrapiError(await loginFrom(app.server, CLIENT_ADDRESS), 429);
    expect(keysUnder(prefix, redis.url)).toHaveLength(1);
  });

  test('a Redis that stops answering: logins go through at once, logged once; the limit comes back with it', async () => {
    redis.pause();
    try {
      await loginsGoThrough(4);
    } finally {
      redis.resume();
    }
    expect(outageLines()).toHaveLength(1);
    const seen = await loginsUntilLimited(5000);
    expect(seen[seen.length - 1]).toBe(429);
    expect(recoveryLines()).toHaveLength(1);
  });

  test('a Redis that goes away: logins go through, logged once more; a new Redis on its address brings the limit back', async () => {
    await redis.kill();
    await loginsGoThrough(4);
    expect(outageLines()).toHaveLength(2);
    await redis.restart();
    // An empty Redis: the budget starts again once the plugin has reconnected (it retries every 2 s at most).
    const seen = await loginsUntilLimited(10_000);
    expect(seen.slice(-3)).toEqual([200, 200, 429]);
    expect(recoveryLines()).toHaveLength(2);
    // No log line holds the client address or a counter's key.
    expect(app.logs.text()).not.toContain(CLIENT_ADDRESS);
    expect(app.logs.text()).not.toContain(prefix);
  });
});
