/**
 * Browser logins across two Strapi processes on one database (PostgreSQL; MariaDB with DATABASE_CLIENT=mysql), as
 * behind a load balancer: authorize on one instance, the callback on the other, the exchange on either; a state and
 * a login code are used once whichever instance gets them, also when both get one at the same moment.
 * Skipped, with a message, when the database server is unreachable and CI is not set.
 */
import request from 'supertest';
import type { Knex } from 'knex';
import { Instance, startTwoInstances, stopTwoInstances, describeOnDatabaseServer } from './helpers/instances';
import type { DatabaseSpec } from './helpers/database';
import { sharedDatabaseClient } from './helpers/database';
import { codeFor, login } from './helpers/login';
import { callback, callbackUrlFor, decide, exchange, startLogin } from './helpers/oauth';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const CLIENT = sharedDatabaseClient();
const OPEN_PLATFORM = 'op-oauth-two';
const MINI: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
const WEBSITE: SimulatedApp = { appId: 'wx4444444444444444', appSecret: '44444444444444444444444444444444', type: 'website', openPlatformId: OPEN_PLATFORM };
const PAGE = 'https://shop.example.com/login/done';

const describeShared = describeOnDatabaseServer(CLIENT, 'oauth-two-instances.test.ts');

describeShared(`browser logins on two Strapi instances on one ${CLIENT} database`, () => {
  const sim = new WeChatSimulator({ apps: [MINI, WEBSITE] });
  let a: Instance;
  let b: Instance;
  let database: DatabaseSpec;
  let db: Knex;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    ({ a, b, database, db } = await startTwoInstances(CLIENT, {
      name: 'oauth-two-instances',
      pluginConfig: {
        apiBaseUrl,
        apps: [
          { appId: MINI.appId, appSecret: MINI.appSecret },
          { appId: WEBSITE.appId, appSecret: WEBSITE.appSecret, type: 'website' },
        ],
        oauth: { redirectAllowList: [PAGE], authorizeBaseUrl: apiBaseUrl },
        ratelimit: { enabled: false, interval: 60_000, max: 1, perUser: { phone: false, profile: false, decrypt: false }, store: { type: 'memory' } },
      },
    }));
  }, 240_000);

  afterAll(async () => {
    await stopTwoInstances({ a, b, database, db });
    await sim.stop();
  }, 60_000);

  test('authorize on A, callback on B, exchange on A: the mini program user, one JWT', async () => {
    const mini = await login(a.url, { code: codeFor('ann') });
    expect(mini.status).toBe(200);
    const started = await startLogin(a.url, WEBSITE.appId, PAGE);
    const back = await decide(started.wechatUrl, 'ann', 'allow');
    // The browser reaches B (the load balancer's choice) with A's cookie.
    const { location } = await callback(b.url, new URL(`${b.url}${back.pathname}${back.search}`), started.cookie);
    const code = location!.searchParams.get('login_code');
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    const answer = await exchange(a.url, { code });
    expect(answer.status).toBe(200);
    expect(answer.body.user.id).toBe(mini.body.user.id);
    // Used on A: B refuses it too.
    const again = await exchange(b.url, { code });
    expect([again.status, again.body.error?.details?.reason]).toEqual([400, 'login_code_used']);
  });

  test('one state reaching both instances at once: one login, the other error=state_used', async () => {
    const started = await startLogin(b.url, WEBSITE.appId, PAGE);
    const code = sim.issueOAuthCode(WEBSITE.appId, 'ben');
    const [x, y] = await Promise.all(
      [a.url, b.url].map((server) => callback(server, callbackUrlFor(server, WEBSITE.appId, started.state, code), started.cookie))
    );
    const outcomes = [x, y].map(({ location }) => location!.searchParams.get('error') ?? 'ok').sort();
    expect(outcomes).toEqual(['ok', 'state_used']);
    const rows = await db('wechat_identities').where({ app_id: WEBSITE.appId, openid: sim.openidFor(WEBSITE.appId, 'ben') });
    expect(rows).toHaveLength(1);
  });

  test('one login code exchanged on both instances at once, several times: exactly one JWT', async () => {
    const started = await startLogin(a.url, WEBSITE.appId, PAGE);
    const { location } = await callback(b.url, callbackUrlFor(b.url, WEBSITE.appId, started.state, sim.issueOAuthCode(WEBSITE.appId, 'cai')), started.cookie);
    const code = location!.searchParams.get('login_code');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(i % 2 ? a.url : b.url)
          .post('/api/strapi-wechat-miniprogram-auth/oauth/exchange')
          .send({ code })
      )
    );
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 400)).toHaveLength(9);
  });
});
