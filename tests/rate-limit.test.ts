/**
 * The plugin's rate limits on the memory store (one instance), with a real reverse proxy in front
 * (tests/helpers/forwarding-proxy.ts, appending to X-Forwarded-For as nginx does):
 * - the login's budget per client address, behind the app's own `proxy: true` or the plugin's
 *   `ratelimit.trustedProxies`: forged X-Forwarded-For entries neither dodge the limit nor lock
 *   another address out; two clients behind the proxy count apart; IPv6 by /64;
 * - the per-user budgets of the routes that spend WeChat quota (phone, nickname, decrypt), REST and
 *   GraphQL together, on by default.
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { codeFor, expectStrapiError, LOGIN_PATH, ResponseLog } from './helpers/login';
import { startForwardingProxy, ForwardingProxy, TEST_PEER_HEADER } from './helpers/forwarding-proxy';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';
import { addressBucket, clientAddress } from '../server/rate-limit/client-address';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const MAX = 3;
const sim = new WeChatSimulator();
const responses = new ResponseLog();
let apiBaseUrl: string;

beforeAll(async () => {
  apiBaseUrl = await sim.start();
});
afterAll(() => sim.stop());

const credentials = () => ({ apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret });
/** config/server.js of the test apps, with Koa's proxy setting on (Strapi 4: `proxy: true`). */
const SERVER_BEHIND_PROXY = `module.exports = () => ({ host: '127.0.0.1', port: 0, proxy: true, app: { keys: ['testKeyA', 'testKeyB'] } });\n`;

interface Setup {
  app: TestApp;
  proxy: ForwardingProxy;
}

async function startBehindProxy(name: string, ratelimit: Record<string, unknown>, appProxy: boolean): Promise<Setup> {
  const app = await startTestApp({
    name,
    pluginConfig: { ...credentials(), ratelimit: { enabled: true, interval: 60_000, max: MAX, ...ratelimit } },
    files: appProxy ? { 'config/server.js': SERVER_BEHIND_PROXY } : {},
  });
  return { app, proxy: await startForwardingProxy(app.server) };
}

async function stop(setup?: Setup) {
  await setup?.proxy.stop();
  await setup?.app.stop();
}

/** A login through `server` from the client at `peer`, which may send an X-Forwarded-For of its own. */
async function loginFrom(server: string, peer: string | null, forwardedFor?: string) {
  const req = request(server).post(LOGIN_PATH);
  if (peer) req.set(TEST_PEER_HEADER, peer);
  if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
  return responses.add(await req.send({ code: codeFor('proxied') }));
}

const statuses = async (count: number, attempt: (i: number) => Promise<request.Response>) => {
  const seen: number[] = [];
  for (let i = 0; i < count; i += 1) seen.push((await attempt(i)).status);
  return seen;
};

describe('the client address and its bucket', () => {
  test.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:cb00:7109', '203.0.113.9'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not an address', 'unknown'],
  ])('%s is counted as %s', (address, bucket) => {
    expect(addressBucket(address)).toBe(bucket);
  });

  test.each([
    [0, '198.51.100.1', '10.0.0.1, 10.0.0.2', '198.51.100.1'],
    [1, '198.51.100.1', 'forged, 203.0.113.5', '203.0.113.5'],
    [2, '198.51.100.1', 'forged, 203.0.113.5, 198.51.100.9', '203.0.113.5'],
    [1, '198.51.100.1', '[2001:db8::1]:4711', '2001:db8::1'],
    [1, '198.51.100.1', '203.0.113.5:4711', '203.0.113.5'],
    [1, '198.51.100.1', undefined, '198.51.100.1'],
    [1, '198.51.100.1', 'garbage', '198.51.100.1'],
    [3, '198.51.100.1', '203.0.113.5', '203.0.113.5'],
  ])('%i trusted proxies, peer %s, X-Forwarded-For %s: the client is %s', (trustedProxies, socketAddress, forwardedFor, client) => {
    expect(clientAddress({ socketAddress, forwardedFor, trustedProxies })).toBe(client);
  });
});

const ALLOWED_THEN_LIMITED = [...new Array<number>(MAX).fill(200), 429, 429];

describe('behind one proxy, the app trusting it (Strapi 4 `proxy: true`), trustedProxies unset', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startBehindProxy('ratelimit-app-proxy', {}, true);
  }, 120_000);
  afterAll(() => stop(setup));

  test('a client rotating a forged leftmost X-Forwarded-For still hits the limit', async () => {
    const seen = await statuses(MAX + 2, (i) => loginFrom(setup.proxy.url, '198.51.100.10', `203.0.113.${i + 1}`));
    expect(seen).toEqual(ALLOWED_THEN_LIMITED);
  });

  test('a client cannot lock another address out by forging it', async () => {
    const victim = '198.51.100.21';
    await statuses(MAX + 2, () => loginFrom(setup.proxy.url, '198.51.100.20', victim));
    expect((await loginFrom(setup.proxy.url, victim)).status).toBe(200);
  });

  test('IPv6 addresses of one /64 share a budget, another /64 has its own; an IPv4-mapped address counts as its IPv4 address', async () => {
    const seen = await statuses(MAX + 1, (i) => loginFrom(setup.proxy.url, `2001:db8:1:2::${(i + 1).toString(16)}`));
    expect(seen).toEqual([200, 200, 200, 429]);
    expect((await loginFrom(setup.proxy.url, '2001:db8:1:2:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await loginFrom(setup.proxy.url, '2001:db8:1:3::1')).status).toBe(200);

    await statuses(MAX, () => loginFrom(setup.proxy.url, '198.51.100.30'));
    expect((await loginFrom(setup.proxy.url, '::ffff:198.51.100.30')).status).toBe(429);
  });
});

describe('behind one proxy, `ratelimit.trustedProxies: 1` (the app not told about the proxy)', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startBehindProxy('ratelimit-trusted-hops', { trustedProxies: 1 }, false);
  }, 120_000);
  afterAll(() => stop(setup));

  test('two clients behind the proxy have separate budgets; forged entries do not help either', async () => {
    expect(await statuses(MAX + 2, (i) => loginFrom(setup.proxy.url, '198.51.100.40', `203.0.113.${i + 1}, 10.0.0.${i}`))).toEqual(ALLOWED_THEN_LIMITED);
    expect(await statuses(MAX + 1, () => loginFrom(setup.proxy.url, '198.51.100.41'))).toEqual([200, 200, 200, 429]);
  });

  test('the per-user limits are on by default: POST /phone answers with the phone budget (10 an hour)', async () => {
    const loggedIn = await loginFrom(setup.proxy.url, '198.51.100.42');
    const res = responses.add(
      await request(setup.app.server)
        .post(`/api/${PLUGIN}/phone`)
        .set('Authorization', `Bearer ${loggedIn.body.token as string}`)
        .send({ code: sim.issuePhoneCode(DEMO_APP.appId, 'proxied') })
    );
    expect({ status: res.status, limit: res.headers['x-ratelimit-limit'], remaining: res.headers['x-ratelimit-remaining'] }).toEqual({
      status: 200,
      limit: '10',
      remaining: '9',
    });
  });
});

describe('`ratelimit.trustedProxies: 0` in an app with `proxy: true`', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      name: 'ratelimit-no-hops',
      pluginConfig: { ...credentials(), ratelimit: { enabled: true, interval: 60_000, max: MAX, trustedProxies: 0 } },
      files: { 'config/server.js': SERVER_BEHIND_PROXY },
    });
  }, 120_000);
  afterAll(() => app?.stop());

  test('X-Forwarded-For is ignored: the socket address is the client', async () => {
    expect(await statuses(MAX + 2, (i) => loginFrom(app.server, null, `203.0.113.${i + 1}`))).toEqual(ALLOWED_THEN_LIMITED);
  });
});

describe('per-user limits (ratelimit.perUser: phone, profile, decrypt at 2 a minute)', () => {
  const budget = { interval: { min: 1 }, max: 2 };
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      name: 'ratelimit-per-user',
      graphql: true,
      pluginConfig: {
        ...credentials(),
        profile: { contentSecurity: true },
        ratelimit: { enabled: true, interval: { min: 1 }, max: 600, perUser: { phone: budget, profile: budget, decrypt: budget } },
      },
    });
  }, 120_000);
  afterAll(() => app?.stop());

  const wechatCalls = () => Object.values(sim.getStats().totals).reduce((a, b) => a + b, 0);
  const LIMITED_BODY = {
    data: null,
    error: { status: 429, name: 'RateLimitError', message: 'Too many requests from this account, retry later', details: {} },
  };

  async function wechatUser(user: string): Promise<string> {
    const res = responses.add(
      await request(app.server)
        .post(LOGIN_PATH)
        .send({ code: codeFor(user) })
    );
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  const post = async (path: string, token: string, body: Record<string, unknown>) =>
    responses.add(await request(app.server).post(`/api/${PLUGIN}${path}`).set('Authorization', `Bearer ${token}`).send(body));

  async function bindByGraphql(token: string, code: string) {
    const res = responses.add(
      await request(app.server)
        .post('/graphql')
        .set('Authorization', `Bearer ${token}`)
        .send({ query: 'mutation Bind($code: String!) { wechatBindPhone(code: $code) { phoneNumber } }', variables: { code } })
    );
    return res.body as { data: unknown; errors?: { extensions: { error?: unknown } }[] };
  }

  test("POST /phone and the GraphQL wechatBindPhone share one budget per user; past it the login's 429 format, WeChat not called; other users unaffected", async () => {
    const pat = await wechatUser('pat');
    expect((await post('/phone', pat, { code: sim.issuePhoneCode(DEMO_APP.appId, 'pat') })).status).toBe(200);
    const second = await bindByGraphql(pat, sim.issuePhoneCode(DEMO_APP.appId, 'pat'));
    expect(second.errors).toBeUndefined();

    const calls = wechatCalls();
    const limited = await post('/phone', pat, { code: sim.issuePhoneCode(DEMO_APP.appId, 'pat') });
    expectStrapiError(limited, 429);
    expect(limited.body).toEqual(LIMITED_BODY);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const graphqlLimited = await bindByGraphql(pat, sim.issuePhoneCode(DEMO_APP.appId, 'pat'));
    expect(graphqlLimited.errors?.[0].extensions.error).toEqual(LIMITED_BODY.error);
    expect(wechatCalls()).toBe(calls);

    const quin = await wechatUser('quin');
    expect((await post('/phone', quin, { code: sim.issuePhoneCode(DEMO_APP.appId, 'quin') })).status).toBe(200);
  });

  test('malformed phone requests do not spend the budget (they never reach WeChat)', async () => {
    const ray = await wechatUser('ray');
    for (let i = 0; i < 4; i += 1) expectStrapiError(await post('/phone', ray, { code: 'not a code' }), 400);
    const first = await post('/phone', ray, { code: sim.issuePhoneCode(DEMO_APP.appId, 'ray') });
    expect({ status: first.status, remaining: first.headers['x-ratelimit-remaining'] }).toEqual({ status: 200, remaining: '1' });
  });

  test('nickname updates: past the budget a 429, msgSecCheck not called', async () => {
    const sue = await wechatUser('sue');
    const update = (nickName: string) => post('/profile', sue, { nickName });
    expect([(await update('Sue')).status, (await update('Susan')).status]).toEqual([200, 200]);
    const checks = sim.getStats().totals.msgSecCheck;
    const limited = await update('Suzy');
    expectStrapiError(limited, 429);
    expect(limited.body).toEqual(LIMITED_BODY);
    expect(sim.getStats().totals.msgSecCheck).toBe(checks);
  });

  test('POST /decrypt: past the budget a 429', async () => {
    const tom = await wechatUser('tom');
    const decrypt = () => post('/decrypt', tom, { ...sim.encryptData(DEMO_APP.appId, 'tom') });
    expect([(await decrypt()).status, (await decrypt()).status]).toEqual([200, 200]);
    const limited = await decrypt();
    expectStrapiError(limited, 429);
    expect(limited.body).toEqual(LIMITED_BODY);
  });
});
