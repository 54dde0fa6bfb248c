/**
 * One access token per mini program serving two Strapi processes on one database (PostgreSQL;
 * MariaDB/MySQL when DATABASE_CLIENT=mysql), as behind a load balancer, with app code calling the
 * `wechat` service (tests/helpers/wechat-probe.ts):
 * - a cold cluster and 200 calls over both instances at once: at most one stable_token call per
 *   process, one row per app in wechat_access_tokens, one token;
 * - many more calls over time: no stable_token call, no call refused;
 * - the token invalidated while WeChat hands it out again: one force_refresh for the whole cluster,
 *   every call answered; replaced elsewhere: both instances recover, each call tried at most twice;
 * - two apps side by side never mix tokens;
 * - no AppSecret, access token or session key in a response or either instance's log.
 * Skipped, with a message, when the database server is unreachable and CI is not set.
 */
import type { Knex } from 'knex';
import request from 'supertest';
import { DatabaseSpec, sharedDatabaseClient } from './helpers/database';
import { codeFor, expectNoSecrets, login } from './helpers/login';
import { Instance, startTwoInstances, stopTwoInstances, describeOnDatabaseServer } from './helpers/instances';
import { openSealed } from './helpers/app-keys';
import { probe, probeFiles } from './helpers/wechat-probe';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const CLIENT = sharedDatabaseClient();
const A: SimulatedApp = { ...DEMO_APP };
const B: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210' };

const describeShared = describeOnDatabaseServer(CLIENT, 'access-token-two-instances.test.ts');

describeShared(`one access token for two Strapi instances on one ${CLIENT} database`, () => {
  const sim = new WeChatSimulator({ apps: [A, B] });
  const responses: string[] = [];
  const tokens = new Set<string>();
  let a: Instance;
  let b: Instance;
  let database: DatabaseSpec;
  let db: Knex;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    // A generous WeChat deadline: 2 shared cores run both instances, the simulator and the clients at once.
    const pluginConfig = {
      apiBaseUrl,
      timeout: 10000,
      apps: [
        { appId: A.appId, appSecret: A.appSecret },
        { appId: B.appId, appSecret: B.appSecret },
      ],
    };
    ({ a, b, database, db } = await startTwoInstances(CLIENT, { name: 'access-token-two', pluginConfig, files: probeFiles }));
  }, 240_000);

  afterAll(async () => {
    await stopTwoInstances({ a, b, database, db });
    await sim.stop();
  }, 60_000);

  const check = async (instance: Instance, appId: string, user: string) => {
    const res = await probe(instance.url, 'msgSecCheck', { appId, openid: sim.openidFor(appId, user), content: 'hello', scene: 2 });
    responses.push(JSON.stringify(res.body), JSON.stringify(res.headers));
    return res;
  };
  const expectPass = (res: request.Response) =>
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { data: { suggest: 'pass', label: 100 } } });
  /** `n` calls spread over both instances at once. */
  const burst = (n: number, appId: string, prefix: string) =>
    Promise.all(Array.from({ length: n }, (_, i) => check(i % 2 ? b : a, appId, `${prefix}${i % 10}`)));

  const rows = async () => {
    const found: Array<{ app_id: string; access_token: string | null }> = await db('wechat_access_tokens').select('app_id', 'access_token').orderBy('app_id');
    // Stored sealed (under the key derived from the app keys): compared opened.
    const opened = found.map((row) => ({ ...row, access_token: row.access_token && openSealed(row.access_token) }));
    for (const row of opened) if (row.access_token) tokens.add(row.access_token);
    return opened;
  };
  const counts = (appId: string) => {
    const calls = sim.getStats().calls[appId] as Partial<ReturnType<typeof sim.getStats>['calls'][string]> | undefined;
    return { stableToken: calls?.stableToken ?? 0, stableTokenForced: calls?.stableTokenForced ?? 0, msgSecCheck: calls?.msgSecCheck ?? 0 };
  };
  const since = (appId: string, before: ReturnType<typeof counts>) => {
    const now = counts(appId);
    return {
      stableToken: now.stableToken - before.stableToken,
      forced: now.stableTokenForced - before.stableTokenForced,
      msgSecCheck: now.msgSecCheck - before.msgSecCheck,
    };
  };

  test('a cold cluster, 200 calls over both instances at once: at most one stable_token call per process, one stored token', async () => {
    const before = counts(A.appId);
    (await burst(200, A.appId, 'cold')).forEach(expectPass);
    const used = since(A.appId, before);
    expect(used.stableToken).toBeGreaterThanOrEqual(1);
    expect(used.stableToken).toBeLessThanOrEqual(2);
    // No call was refused and retried.
    expect(used.msgSecCheck).toBe(200);
    const stored = await rows();
    expect(stored.map((r) => r.app_id)).toEqual([A.appId]);
    expect(stored[0].access_token).toBe(sim.getAccessToken(A.appId));
  });

  test('300 more calls over time on both instances: WeChat is not asked for a token again, no call refused', async () => {
    const before = counts(A.appId);
    for (let round = 0; round < 10; round++) (await burst(30, A.appId, `steady${round}`)).forEach(expectPass);
    expect(since(A.appId, before)).toEqual({ stableToken: 0, forced: 0, msgSecCheck: 300 });
  });

  test('the token refused while WeChat hands it out again: one force_refresh for the whole cluster, every call answered', async () => {
    tokens.add(sim.invalidateToken(A.appId) as string);
    const before = counts(A.appId);
    (await burst(80, A.appId, 'forced')).forEach(expectPass);
    const used = since(A.appId, before);
    expect(used.forced).toBe(1);
    // Each call reached WeChat at most twice; each instance asked stable_token a couple of times at most.
    expect(used.msgSecCheck).toBeLessThanOrEqual(160);
    expect(used.stableToken).toBeLessThanOrEqual(5);
    const stored = await rows();
    expect(stored.find((r) => r.app_id === A.appId)?.access_token).toBe(sim.getAccessToken(A.appId));
    // And both instances now use the new token: no more refusals.
    const after = counts(A.appId);
    (await burst(40, A.appId, 'afterforce')).forEach(expectPass);
    expect(since(A.appId, after)).toEqual({ stableToken: 0, forced: 0, msgSecCheck: 40 });
  });

  test('the token replaced elsewhere: both instances take the new one, each call tried at most twice, no force_refresh', async () => {
    tokens.add(sim.invalidateToken(A.appId, { stableReturnsNew: true }) as string);
    const before = counts(A.appId);
    (await burst(60, A.appId, 'replaced')).forEach(expectPass);
    const used = since(A.appId, before);
    expect(used.forced).toBe(0);
    expect(used.msgSecCheck).toBeLessThanOrEqual(120);
    expect(used.stableToken).toBeGreaterThanOrEqual(1);
    expect(used.stableToken).toBeLessThanOrEqual(4);
  });

  test('two apps side by side on both instances: one row and one token each, never mixed', async () => {
    const beforeA = counts(A.appId);
    const beforeB = counts(B.appId);
    const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => check(i % 4 < 2 ? a : b, i % 2 ? A.appId : B.appId, `pair${i % 8}`)));
    // A token of the other app would make the openid answer 43104.
    answers.forEach(expectPass);
    expect(since(A.appId, beforeA)).toMatchObject({ stableToken: 0, msgSecCheck: 40 });
    expect(since(B.appId, beforeB).msgSecCheck).toBe(40);
    expect(since(B.appId, beforeB).stableToken).toBeLessThanOrEqual(2);
    const stored = await rows();
    expect(stored.map((r) => r.app_id)).toEqual([A.appId, B.appId].sort());
    expect(stored.map((r) => r.access_token)).toEqual([A.appId, B.appId].sort().map((appId) => sim.getAccessToken(appId)));
  });

  test('neither instance showed an AppSecret, an access token or a session key, in a response or in its log', async () => {
    // A login on each instance too: session keys pass through the same processes.
    for (const instance of [a, b]) {
      const res = await login(instance.url, { code: codeFor('tina'), appId: A.appId });
      expect(res.status).toBe(200);
      responses.push(res.text);
    }
    await rows();
    const secrets = [A.appSecret, B.appSecret, ...tokens, ...sim.issuedSessionKeys];
    expect(tokens.size).toBeGreaterThanOrEqual(4);
    expectNoSecrets(responses.join('\n'), secrets);
    const logs = a.output.join('') + b.output.join('');
    expectNoSecrets(logs, secrets);
    expect(logs).toMatch(/POST \/api\/wechat-probe\/msgSecCheck/);
    expect(logs).toMatch(/force_refresh used/);
  });
});
