/**
 * The managed access token (docs/design/server-apis.md), in a real Strapi app calling the simulator
 * through app code (tests/helpers/wechat-probe.ts):
 * - a cold cache and 100 concurrent calls: one stable_token call; several AppIDs never mix tokens;
 * - a token refused (40001, 42001) is replaced and the call retried exactly once; when WeChat hands
 *   back the refused token, one force_refresh for all concurrent callers, and none again within 30 s;
 * - a billed call (phone number) refused for its token is retried once too: WeChat did nothing with it;
 * - the token's status in the service and in the admin settings answer, never the token itself;
 * - tokens refreshed ahead of their expiry, so no caller ever meets an expired one;
 * - no AppSecret, access token or session key in any response or log line.
 */
import { openSealed } from './helpers/app-keys';
import request from 'supertest';
import { startTestApp, TestApp, PLUGIN_NAME } from './helpers/test-app';
import { expectNoSecrets, expectStrapiError } from './helpers/login';
import { registerFirstAdmin } from './helpers/admin';
import { logLines } from './helpers/apps';
import { probe, probeFiles, ProbeMethod } from './helpers/wechat-probe';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const ACCESS_TOKEN_UID = `plugin::${PLUGIN_NAME}.access-token`;
const A: SimulatedApp = { ...DEMO_APP };
const B: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210' };
/** Configured with a secret WeChat does not accept. */
const C: SimulatedApp = { appId: 'wx00000000000000cc', appSecret: 'cccccccccccccccccccccccccccccccc' };
const C_CONFIGURED_SECRET = 'dddddddddddddddddddddddddddddddd';

/** Everything the tests saw leave the server, and every access token the simulator handed out that they know of. */
const seen = { responses: [] as string[], tokens: new Set<string>() };

function remember(res: request.Response): request.Response {
  seen.responses.push(Buffer.isBuffer(res.body) ? res.body.toString('latin1') : JSON.stringify(res.body), JSON.stringify(res.headers));
  return res;
}

function setup(name: string, sim: WeChatSimulator, apps: Array<{ appId: string; appSecret: string }>) {
  const state: { app?: TestApp } = {};
  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    state.app = await startTestApp({ name, pluginConfig: { apiBaseUrl, apps, timeout: 5000 }, files: probeFiles });
  });
  afterAll(async () => {
    await state.app?.stop();
    await sim.stop();
  });
  const app = () => state.app as TestApp;
  const call = async (method: ProbeMethod, input: unknown) => remember(await probe(app().server, method, input));
  const check = (sim2: WeChatSimulator, appId: string, user = 'reader') =>
    call('msgSecCheck', { appId, openid: sim2.openidFor(appId, user), content: 'hello', scene: 2 });
  const storedRows = async (): Promise<Array<{ appId: string; accessToken: string | null; forceRefreshes: number[] | null }>> => {
    const rows = await app()
      .strapi.db.query(ACCESS_TOKEN_UID)
      .findMany({ orderBy: { appId: 'asc' } });
    // Stored sealed (under the key derived from the test app's APP_KEYS): read opened.
    for (const row of rows) if (row.accessToken) row.accessToken = openSealed(row.accessToken);
    for (const row of rows) if (row.accessToken) seen.tokens.add(row.accessToken);
    return rows;
  };
  const storedToken = async (appId: string) => (await storedRows()).find((r) => r.appId === appId)?.accessToken ?? null;
  return { app, call, check, storedRows, storedToken };
}

const ZERO = { stableToken: 0, stableTokenForced: 0, msgSecCheck: 0, phone: 0 };
/** The simulator's counters of one AppID since `before`. */
function delta(sim: WeChatSimulator, appId: string, before: ReturnType<WeChatSimulator['getStats']>) {
  const now = { ...ZERO, ...sim.getStats().calls[appId] };
  const then = { ...ZERO, ...before.calls[appId] };
  return {
    stableToken: now.stableToken - then.stableToken,
    forced: now.stableTokenForced - then.stableTokenForced,
    msgSecCheck: now.msgSecCheck - then.msgSecCheck,
    phone: now.phone - then.phone,
  };
}

describe('one access token per mini program, shared and recovered', () => {
  const sim = new WeChatSimulator({ apps: [A, B, { ...C }] });
  const { app, call, check, storedRows, storedToken } = setup('access-token', sim, [
    { appId: A.appId, appSecret: A.appSecret },
    { appId: B.appId, appSecret: B.appSecret },
    { appId: C.appId, appSecret: C_CONFIGURED_SECRET },
  ]);
  const okCheck = (res: request.Response) =>
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { data: { suggest: 'pass', label: 100 } } });

  test('a cold cache and 100 concurrent calls: one stable_token call, one stored token', async () => {
    const before = sim.getStats();
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => check(sim, A.appId, `crowd${i % 10}`)));
    answers.forEach(okCheck);
    expect(delta(sim, A.appId, before)).toEqual({ stableToken: 1, forced: 0, msgSecCheck: 100, phone: 0 });
    const rows = await storedRows();
    expect(rows.map((r) => r.appId)).toEqual([A.appId]);
    expect(rows[0].accessToken).toBe(sim.getAccessToken(A.appId));
  });

  test('several AppIDs at once never mix tokens: one row and one token each, every call answered for its own app', async () => {
    const before = sim.getStats();
    // An openid of one app with the other app's token would answer 43104.
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => check(sim, i % 2 ? A.appId : B.appId, `mix${i % 6}`)));
    answers.forEach(okCheck);
    expect(delta(sim, A.appId, before)).toMatchObject({ stableToken: 0, msgSecCheck: 30 });
    expect(delta(sim, B.appId, before)).toMatchObject({ stableToken: 1, msgSecCheck: 30 });
    const rows = await storedRows();
    expect(rows.map((r) => r.appId)).toEqual([A.appId, B.appId].sort());
    expect(await storedToken(A.appId)).toBe(sim.getAccessToken(A.appId));
    expect(await storedToken(B.appId)).toBe(sim.getAccessToken(B.appId));
    expect(await storedToken(A.appId)).not.toBe(await storedToken(B.appId));
  });

  test('the token was replaced elsewhere (40001): the current one is fetched and the call retried exactly once', async () => {
    seen.tokens.add(sim.invalidateToken(A.appId, { stableReturnsNew: true }) as string);
    const before = sim.getStats();
    okCheck(await check(sim, A.appId));
    expect(delta(sim, A.appId, before)).toEqual({ stableToken: 1, forced: 0, msgSecCheck: 2, phone: 0 });
    // The next calls use the new token straight away.
    const again = sim.getStats();
    for (let i = 0; i < 5; i++) okCheck(await check(sim, A.appId));
    expect(delta(sim, A.appId, again)).toEqual({ stableToken: 0, forced: 0, msgSecCheck: 5, phone: 0 });
    expect(await storedToken(A.appId)).toBe(sim.getAccessToken(A.appId));
  });

  test('an expired token (42001): a fresh one, the call retried once', async () => {
    seen.tokens.add(sim.expireToken(A.appId) as string);
    const before = sim.getStats();
    okCheck(await check(sim, A.appId));
    expect(delta(sim, A.appId, before)).toEqual({ stableToken: 1, forced: 0, msgSecCheck: 2, phone: 0 });
  });

  test('WeChat hands back the token it refuses: one force_refresh for 30 concurrent callers, each call retried once', async () => {
    const logFrom = app().logs.lines.length;
    seen.tokens.add(sim.invalidateToken(A.appId) as string);
    const before = sim.getStats();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => check(sim, A.appId, `forced${i % 3}`)));
    answers.forEach(okCheck);
    // One normal stable_token (the refused token came back), one forced; each call reached WeChat at most twice
    // (those arriving after the first refusal wait for the new token).
    const counts = delta(sim, A.appId, before);
    expect(counts).toMatchObject({ stableToken: 2, forced: 1, phone: 0 });
    expect(counts.msgSecCheck).toBeGreaterThan(30);
    expect(counts.msgSecCheck).toBeLessThanOrEqual(60);
    const row = (await storedRows()).find((r) => r.appId === A.appId);
    expect(row?.forceRefreshes).toHaveLength(1);
    expect(row?.accessToken).toBe(sim.getAccessToken(A.appId));
    expect(logLines(app().logs, 'warn', logFrom).filter((l) => /force_refresh used/.test(l.message))).toHaveLength(1);
  });

  test('refused again within 30 s: no second force_refresh, the call fails once with a clean 502', async () => {
    seen.tokens.add(sim.invalidateToken(A.appId) as string);
    const before = sim.getStats();
    const res = await check(sim, A.appId);
    expectStrapiError(res, 502);
    expect(res.body.error.details).toEqual({ errcode: 40001 });
    expect(res.body.error.message).toMatch(/credentials/);
    expect(delta(sim, A.appId, before)).toEqual({ stableToken: 1, forced: 0, msgSecCheck: 1, phone: 0 });
    // WeChat hands out a working token again: the next call recovers with one retry.
    sim.invalidateToken(A.appId, { stableReturnsNew: true });
    const later = sim.getStats();
    okCheck(await check(sim, A.appId));
    expect(delta(sim, A.appId, later)).toEqual({ stableToken: 1, forced: 0, msgSecCheck: 2, phone: 0 });
  });

  test('a billed phone number call refused for its token is made again once on the new token: answered, billed once', async () => {
    const openid = sim.openidFor(A.appId, 'payer');
    seen.tokens.add(sim.invalidateToken(A.appId, { stableReturnsNew: true }) as string);
    const before = sim.getStats();
    const ok = await call('getPhoneNumber', { appId: A.appId, code: sim.issuePhoneCode(A.appId, 'payer'), openid });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual(sim.phoneNumberFor('payer'));
    expect(delta(sim, A.appId, before)).toEqual({ stableToken: 1, forced: 0, msgSecCheck: 0, phone: 2 });
    expect((sim.getStats().phoneBilled[A.appId] ?? 0) - (before.phoneBilled[A.appId] ?? 0)).toBe(1);

    const next = sim.getStats();
    expect((await call('getPhoneNumber', { appId: A.appId, code: sim.issuePhoneCode(A.appId, 'payer'), openid })).status).toBe(200);
    expect(delta(sim, A.appId, next)).toEqual({ stableToken: 0, forced: 0, msgSecCheck: 0, phone: 1 });
  });

  test('credentials WeChat refuses: a 502 naming the AppSecret, the errcode kept for the admin page, no token', async () => {
    const res = await check(sim, C.appId);
    expectStrapiError(res, 502);
    expect(res.body.error).toMatchObject({ message: expect.stringMatching(/invalid AppSecret/), details: { errcode: 40125 } });
    const status = await call('tokenStatus', { appId: C.appId });
    expect(status.body.data).toEqual({ cached: false, expiresAt: null, refreshedAt: null, lastErrcode: 40125 });
  });

  test("the token's status in the service and in the admin settings answer: cached, expiry, refresh time, last errcode; never the token", async () => {
    const token = (await storedToken(A.appId)) as string;
    const status = (await call('tokenStatus', { appId: A.appId })).body.data;
    expect(status).toEqual({ cached: true, expiresAt: expect.any(String), refreshedAt: expect.any(String), lastErrcode: 40001 });
    const expiresIn = Date.parse(status.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7000_000);
    expect(expiresIn).toBeLessThanOrEqual(7200_000);
    expect(Date.now() - Date.parse(status.refreshedAt)).toBeLessThan(120_000);

    const admin = await registerFirstAdmin(app().server);
    const settings = remember(await request(app().server).get(`/${PLUGIN_NAME}/settings`).set('Authorization', `Bearer ${admin}`));
    expect(settings.status).toBe(200);
    const tokens = Object.fromEntries(settings.body.data.apps.map((a: { appId: string; token: unknown }) => [a.appId, a.token]));
    expect(tokens).toEqual({
      [A.appId]: status,
      [B.appId]: { cached: true, expiresAt: expect.any(String), refreshedAt: expect.any(String), lastErrcode: null },
      [C.appId]: { cached: false, expiresAt: null, refreshedAt: null, lastErrcode: 40125 },
    });
    expect(settings.text).not.toContain(token);
  });

  test('no AppSecret, access token or session key in any response or log line', async () => {
    await storedRows();
    for (const appId of [A.appId, B.appId]) seen.tokens.add(sim.getAccessToken(appId));
    const secrets = [A.appSecret, B.appSecret, C.appSecret, C_CONFIGURED_SECRET, ...seen.tokens, ...sim.issuedSessionKeys];
    expect(seen.tokens.size).toBeGreaterThanOrEqual(6);
    expectNoSecrets(seen.responses.join('\n'), secrets);
    expectNoSecrets(app().logs.text(), secrets);
  });
});

describe('refreshed ahead of expiry', () => {
  // 8-second tokens; WeChat (the simulator) hands out the next one in the last 4 seconds of each.
  const sim = new WeChatSimulator({ apps: [A], tokenTtlSeconds: 8, tokenRenewAheadSeconds: 4 });
  const { check, storedToken, app } = setup('access-token-refresh', sim, [{ appId: A.appId, appSecret: A.appSecret }]);

  test('calls for 12 s on 8-second tokens: the token changes before it expires, no call is ever refused', async () => {
    const before = sim.getStats();
    const tokens = new Set<string>();
    let calls = 0;
    const started = Date.now();
    while (Date.now() - started < 12_000) {
      const res = await check(sim, A.appId);
      expect({ status: res.status, suggest: res.body?.data?.suggest }).toEqual({ status: 200, suggest: 'pass' });
      calls += 1;
      tokens.add((await storedToken(A.appId)) as string);
      await new Promise((r) => setTimeout(r, 250));
    }
    const counts = delta(sim, A.appId, before);
    // Each call reached WeChat once: no token was refused (42001) and retried.
    expect(counts.msgSecCheck).toBe(calls);
    expect(tokens.size).toBeGreaterThanOrEqual(2);
    // About one stable_token call per 4 s, not one per call.
    expect(counts.stableToken).toBeGreaterThanOrEqual(tokens.size);
    expect(counts.stableToken).toBeLessThanOrEqual(8);
    expect(counts.forced).toBe(0);
    expectNoSecrets(app().logs.text(), [A.appSecret, ...tokens]);
  });
});
