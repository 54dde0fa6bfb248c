/**
 * Plugin config: validated at startup; credentials from config win over the store; the login
 * rate limit follows `ratelimit: { enabled, interval, max }`.
 */
import { startTestApp, TestApp } from './helpers/test-app';
import { codeFor, expectStrapiError, login } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const sim = new WeChatSimulator();
let apiBaseUrl: string;
const credentials = () => ({ apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, credentialsCacheTtl: 0 });

beforeAll(async () => {
  apiBaseUrl = await sim.start();
});
afterAll(() => sim.stop());

async function withApp(pluginConfig: Record<string, unknown>, run: (app: TestApp) => Promise<void>) {
  const app = await startTestApp({ name: 'config', pluginConfig });
  try {
    await run(app);
  } finally {
    await app.stop();
  }
}

describe('startup validation', () => {
  test.each([
    [{ apiBaseUrl: 'not a url' }, /apiBaseUrl must be an absolute http\(s\) URL/],
    [{ apiBaseUrl: 'ftp://api.weixin.qq.com' }, /apiBaseUrl must be an http\(s\) URL/],
    [{ timeout: 0 }, /timeout must be an integer number of milliseconds/],
    [{ appId: 'wx123' }, /appId must look like wx followed by 16 hexadecimal characters/],
    [{ appSecret: 'short' }, /appSecret must be 32 hexadecimal characters/],
    [{ ratelimit: { max: 0 } }, /ratelimit.max must be a positive integer/],
    [{ ratelimit: { interval: { minutes: 1 } } }, /ratelimit.interval: unknown unit "minutes"/],
    [{ profile: { contentSecurty: true } }, /unknown key 'profile.contentSecurty' in the plugin's config \(did you mean 'profile.contentSecurity'\?\)/],
    [{ strictConfig: 'yes' }, /strictConfig must be true or false/],
    // Storing nicknames WeChat could not check is not an option.
    [{ profile: { contentSecurityFailure: 'open' } }, /unknown key 'profile.contentSecurityFailure' in the plugin's config/],
    [{ ratelimit: { trustedProxies: -1 } }, /ratelimit.trustedProxies must be the number of proxies in front of Strapi/],
    [
      { strictConfig: true, ratelimit: { trustedProxy: 1 } },
      /unknown key 'ratelimit.trustedProxy' in the plugin's config \(did you mean 'ratelimit.trustedProxies'\?\)/,
    ],
    [{ ratelimit: { perUser: { login: { max: 1 } } } }, /ratelimit.perUser.login is not a limited route family/],
    [{ ratelimit: { perUser: { phone: { max: 0 } } } }, /ratelimit.perUser.phone.max must be a positive integer/],
    [{ ratelimit: { store: { type: 'redis', url: 'http://:pw@127.0.0.1:6379' } } }, /ratelimit.store.url must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ ratelimit: { store: { type: 'memcached' } } }, /ratelimit.store.type must be 'memory' or 'redis'/],
  ])('%j stops Strapi with a clear message', async (config, message) => {
    const error = await startTestApp({ name: 'config', pluginConfig: config }).then(
      async (app) => {
        await app.stop();
        return null;
      },
      (e: Error) => e
    );
    expect(error?.message).toMatch(/Error regarding strapi-wechat-miniprogram-auth config/);
    expect(error?.message).toMatch(message);
  });

  test('a bad AppSecret in config is not echoed in the startup error', async () => {
    const secretish = 'zzzz-not-hex-but-secret-zzzz';
    const error = await startTestApp({ name: 'config', pluginConfig: { appSecret: secretish } }).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain(secretish);
  });
});

describe('unknown keys', () => {
  // Shaped like an AppSecret: an unknown key may hold a secret, so no value is ever printed.
  const secretish = 'c0ffee'.repeat(5) + 'aa';
  const unknownKeys = { contentSecurity: true, appSecrett: secretish, ratelimit: { enabled: true, maxx: 7 } };

  test('each gets a startup warning naming its path and the nearest known key, never its value; Strapi starts', async () => {
    await withApp({ ...credentials(), ...unknownKeys }, async (app) => {
      // Strapi's logger colours the level: compared without the escape codes.
      const warnings = app.logs.lines
        .map((line) => JSON.parse(line) as { level: string; message: string })
        .filter((l) => /unknown key/.test(l.message))
        // eslint-disable-next-line no-control-regex -- ANSI colour codes
        .map((l) => ({ level: l.level.replace(/\u001b\[\d+m/g, ''), message: l.message }));
      expect(warnings).toEqual([
        { level: 'warn', message: "[wechat-auth] unknown key 'contentSecurity' in the plugin's config (did you mean 'profile.contentSecurity'?): ignored" },
        { level: 'warn', message: "[wechat-auth] unknown key 'appSecrett' in the plugin's config (did you mean 'appSecret'?): ignored" },
        { level: 'warn', message: "[wechat-auth] unknown key 'ratelimit.maxx' in the plugin's config (did you mean 'ratelimit.max'?): ignored" },
      ]);
      expect(app.logs.text()).not.toContain(secretish);
      expect((await login(app.server, { code: codeFor('warned') })).status).toBe(200);
    });
  });

  test('no warning for a config without unknown keys', async () => {
    await withApp({ ...credentials(), profile: { contentSecurity: false } }, async (app) => {
      expect(app.logs.text()).not.toMatch(/unknown key/);
    });
  });

  test('with strictConfig: true they stop Strapi, every one named, no value in the message', async () => {
    const error = await startTestApp({ name: 'config', pluginConfig: { ...credentials(), ...unknownKeys, strictConfig: true } }).then(
      async (app) => {
        await app.stop();
        return null;
      },
      (e: Error) => e
    );
    expect(error?.message).toBe(
      'Error regarding strapi-wechat-miniprogram-auth config: ' +
        "unknown key 'contentSecurity' in the plugin's config (did you mean 'profile.contentSecurity'?); " +
        "unknown key 'appSecrett' in the plugin's config (did you mean 'appSecret'?); " +
        "unknown key 'ratelimit.maxx' in the plugin's config (did you mean 'ratelimit.max'?)"
    );
  });
});

describe('credentials from config', () => {
  test('win over the plugin store', async () => {
    await withApp(credentials(), async (app) => {
      await app.strapi
        .store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' })
        .set({ key: 'settings', value: { appId: 'wxffffffffffffffff', appSecret: 'f'.repeat(32) } });
      const res = await login(app.server, { code: codeFor('configured') });
      expect(res.status).toBe(200);
    });
  });
});

describe('rate limit', () => {
  test('the default does not trip on a busy carrier NAT address (100 logins in a row from one IP)', async () => {
    await withApp(credentials(), async (app) => {
      const statuses: number[] = [];
      for (let i = 0; i < 100; i += 1) statuses.push((await login(app.server, { code: codeFor(`nat${i}`) })).status);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      const last = await login(app.server, { code: codeFor('nat0') });
      expect(last.headers['x-ratelimit-limit']).toBe('600');
    });
  });

  test('a configured limit answers 429 in Strapi error format past `max`', async () => {
    await withApp({ ...credentials(), ratelimit: { enabled: true, interval: 60000, max: 3 } }, async (app) => {
      for (let i = 0; i < 3; i += 1) expect((await login(app.server, { code: codeFor('limited') })).status).toBe(200);
      const calls = sim.stats.code2session;
      const limited = await login(app.server, { code: codeFor('limited') });
      expectStrapiError(limited, 429);
      expect(limited.body.error.name).toBe('RateLimitError');
      expect(sim.stats.code2session).toBe(calls);
    });
  });

  test('`ratelimit: { enabled: false }` turns it off', async () => {
    await withApp({ ...credentials(), ratelimit: { enabled: false, max: 1 } }, async (app) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await login(app.server, { code: codeFor('unlimited') });
        statuses.push(res.status);
        expect(res.headers).not.toHaveProperty('x-ratelimit-limit');
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
    });
  });
});
