/**
 * The access token manager's logic on its own (server/wechat/access-token.ts, no Strapi): a store in
 * memory shared by "instances" (managers), a clock the test moves, and a stable_token that does what
 * each test needs.
 */
import { createAccessTokenManager, type AccessTokenStore, type FetchedToken, type TokenRecord } from '../server/wechat/access-token';
import { WeChatApiError, WeChatTransportError } from '../server/wechat/wechat-client';

const APP = 'wx0123456789abcdef';
const OTHER = 'wxfedcba9876543210';
const MINUTE = 60_000;

class MemoryStore implements AccessTokenStore {
  readonly rows = new Map<string, TokenRecord>();
  writes = 0;

  async read(appId: string) {
    const row = this.rows.get(appId);
    return row ? { ...row, forceRefreshes: [...row.forceRefreshes] } : null;
  }

  async write(appId: string, change: Partial<TokenRecord>) {
    this.writes += 1;
    const row = this.rows.get(appId) ?? {
      appId,
      accessToken: null,
      expiresAt: null,
      refreshedAt: null,
      lastErrcode: null,
      lastErrorAt: null,
      forceRefreshes: [],
    };
    this.rows.set(appId, { ...row, ...change });
  }

  async writeIf(appId: string, expected: string | null, change: Partial<TokenRecord>) {
    const row = this.rows.get(appId);
    if (!row || row.accessToken !== expected) return false;
    await this.write(appId, change);
    return true;
  }
}

/** WeChat's stable_token, as far as these tests need it: one current token per AppID, expiry and force_refresh. */
class FakeWeChat {
  clock = Date.parse('2025-06-01T00:00:00Z');
  readonly calls: Array<{ appId: string; forceRefresh: boolean }> = [];
  private readonly current = new Map<string, { token: string; expiresAt: number }>();
  private readonly issued = new Map<string, number>();
  private serial = 0;
  /** Tokens API calls refuse with 40001. */
  readonly dead = new Set<string>();
  /** How long stable_token takes to answer. */
  latencyMs = 5;
  failWith: Error | null = null;
  ttlMs = 7200_000;

  now = () => this.clock;

  fetchToken = async (appId: string, { forceRefresh }: { forceRefresh: boolean }): Promise<FetchedToken> => {
    this.calls.push({ appId, forceRefresh });
    await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.failWith) throw this.failWith;
    let entry = this.current.get(appId);
    // WeChat renews 5 minutes before expiry; a force_refresh replaces the token at once.
    if (!entry || forceRefresh || entry.expiresAt - this.clock <= 5 * MINUTE) {
      if (entry && forceRefresh) this.dead.add(entry.token);
      entry = { token: `${appId}-token-${++this.serial}`, expiresAt: this.clock + this.ttlMs };
      this.current.set(appId, entry);
      this.issued.set(entry.token, entry.expiresAt);
    }
    return { accessToken: entry.token, expiresIn: Math.round((entry.expiresAt - this.clock) / 1000) };
  };

  /** An API call with `token`: 40001 when it is dead, 40014 when unknown, 42001 when expired. */
  api = async (token: string) => {
    if (this.dead.has(token)) throw new WeChatApiError('msg_sec_check', 40001);
    const expiresAt = this.issued.get(token);
    if (expiresAt === undefined) throw new WeChatApiError('msg_sec_check', 40014);
    if (expiresAt <= this.clock) throw new WeChatApiError('msg_sec_check', 42001);
    return { ok: true, token };
  };

  /** The token is refused from now on, but stable_token (normal mode) still hands it out. */
  invalidate(appId: string) {
    this.dead.add(this.current.get(appId)!.token);
  }

  /** Another server forced a refresh: the token is refused and stable_token hands out the new one. */
  replaceElsewhere(appId: string) {
    this.dead.add(this.current.get(appId)!.token);
    this.current.delete(appId);
  }

  fetches(appId = APP, forceRefresh?: boolean) {
    return this.calls.filter((c) => c.appId === appId && (forceRefresh === undefined || c.forceRefresh === forceRefresh)).length;
  }
}

function setup() {
  const wechat = new FakeWeChat();
  const store = new MemoryStore();
  const logs: string[] = [];
  const instance = () =>
    createAccessTokenManager({ fetchToken: wechat.fetchToken, store, now: wechat.now, log: (level, message) => logs.push(`${level} ${message}`) });
  return { wechat, store, logs, instance };
}

test('100 concurrent callers on a cold cache: one stable_token call, one token', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  const tokens = await Promise.all(Array.from({ length: 100 }, () => manager.get(APP)));
  expect(new Set(tokens).size).toBe(1);
  expect(wechat.fetches()).toBe(1);
});

test('the token is kept until 5 minutes before its expiry, then replaced (WeChat hands out the next one)', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  const first = await manager.get(APP);
  wechat.clock += 7200_000 - 5 * MINUTE - 1000;
  expect(await manager.get(APP)).toBe(first);
  expect(wechat.fetches()).toBe(1);
  wechat.clock += 2000;
  const second = await manager.get(APP);
  expect(second).not.toBe(first);
  expect(wechat.fetches()).toBe(2);
});

test('a token handed out close to its expiry is not asked for again on every call', async () => {
  const { wechat, instance } = setup();
  wechat.ttlMs = 60_000; // WeChat renews 5 minutes ahead: this one comes back until it expires
  const manager = instance();
  await manager.get(APP);
  for (let i = 0; i < 20; i++) {
    wechat.clock += 1000;
    await manager.get(APP);
  }
  // 20 s later: asked again after half its life at most (30 s), not 20 times.
  expect(wechat.fetches()).toBe(1);
});

test("a second instance takes the first one's token from the store: WeChat is asked once for the cluster", async () => {
  const { wechat, instance } = setup();
  const a = instance();
  const b = instance();
  const token = await a.get(APP);
  expect(await b.get(APP)).toBe(token);
  // At refresh time, whichever instance comes first refreshes; the other reads the store.
  wechat.clock += 7200_000 - 4 * MINUTE;
  const next = await a.get(APP);
  expect(await b.get(APP)).toBe(next);
  expect(wechat.fetches()).toBe(2);
});

test('a failed refresh keeps the current token until it expires, and retries after 10 s, not on every call', async () => {
  const { wechat, instance, store, logs } = setup();
  const manager = instance();
  const token = await manager.get(APP);
  wechat.clock += 7200_000 - 4 * MINUTE;
  wechat.failWith = new WeChatApiError('stable_token', -1);
  expect(await manager.get(APP)).toBe(token);
  expect(await manager.get(APP)).toBe(token);
  expect(wechat.fetches()).toBe(2);
  expect((await store.read(APP))?.lastErrcode).toBe(-1);
  expect(logs.some((l) => l.startsWith('warn') && l.includes('could not refresh'))).toBe(true);
  wechat.clock += 11_000;
  wechat.failWith = null;
  expect(await manager.get(APP)).not.toBe(token);
  expect((await manager.status(APP)).lastErrcode).toBeNull();
  // With no token left at all, the failure is the caller's.
  const cold = setup();
  cold.wechat.failWith = new WeChatApiError('stable_token', 40125);
  await expect(cold.instance().get(APP)).rejects.toMatchObject({ errcode: 40125 });
});

test('a refused token (40001) is replaced once and the call retried once', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  const stale = await manager.get(APP);
  // Replaced elsewhere (e.g. another server's force_refresh): stable_token hands out a new one.
  wechat.replaceElsewhere(APP);
  const used: string[] = [];
  const result = await manager.withToken(APP, async (token) => {
    used.push(token);
    return wechat.api(token);
  });
  expect(used).toHaveLength(2);
  expect(used[0]).toBe(stale);
  expect(result.token).toBe(used[1]);
  expect(wechat.fetches(APP, true)).toBe(0);
});

test('WeChat hands back the refused token: one force_refresh, then the call succeeds; not twice within 30 s', async () => {
  const { wechat, instance, store, logs } = setup();
  const manager = instance();
  await manager.get(APP);
  wechat.invalidate(APP);
  const calls: string[] = [];
  const run = () =>
    manager.withToken(APP, async (token) => {
      calls.push(token);
      return wechat.api(token);
    });
  await expect(run()).resolves.toMatchObject({ ok: true });
  expect(wechat.fetches(APP, true)).toBe(1);
  expect((await store.read(APP))?.forceRefreshes).toHaveLength(1);
  expect(logs.some((l) => l.includes('force_refresh used'))).toBe(true);

  // Refused again 10 s later: no second force_refresh so soon; the call fails, having been tried twice.
  wechat.clock += 10_000;
  wechat.invalidate(APP);
  calls.length = 0;
  await expect(run()).rejects.toMatchObject({ errcode: 40001 });
  expect(calls).toHaveLength(1);
  expect(wechat.fetches(APP, true)).toBe(1);
  // 30 s after the first one it is allowed again.
  wechat.clock += 21_000;
  await expect(run()).resolves.toMatchObject({ ok: true });
  expect(wechat.fetches(APP, true)).toBe(2);
});

test('at most 20 force_refresh a day per AppID', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  await manager.get(APP);
  let refused = 0;
  for (let i = 0; i < 25; i++) {
    wechat.clock += 31_000;
    wechat.invalidate(APP);
    await manager.withToken(APP, (token) => wechat.api(token)).catch(() => (refused += 1));
  }
  expect(wechat.fetches(APP, true)).toBe(20);
  expect(refused).toBe(5);
  // A day later the count starts again.
  wechat.clock += 24 * 3600_000;
  await manager.get(APP);
  wechat.invalidate(APP);
  await expect(manager.withToken(APP, (token) => wechat.api(token))).resolves.toMatchObject({ ok: true });
  expect(wechat.fetches(APP, true)).toBe(21);
});

test('a refused token is the one failure retried: a timeout, a network failure or an HTTP 5xx is not (WeChat may have done the work)', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  const token = await manager.get(APP);
  for (const failure of ['timeout', 'network', 'http-status'] as const) {
    let calls = 0;
    await expect(
      manager.withToken(APP, async () => {
        calls += 1;
        throw new WeChatTransportError('getuserphonenumber', failure, failure === 'http-status' ? 502 : undefined);
      })
    ).rejects.toMatchObject({ failure });
    expect({ failure, calls }).toEqual({ failure, calls: 1 });
  }
  expect(await manager.get(APP)).toBe(token);
  expect(wechat.fetches()).toBe(1);
});

test('50 concurrent calls refused together: one recovery, each call retried once', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  await manager.get(APP);
  wechat.invalidate(APP);
  const before = wechat.calls.length;
  let calls = 0;
  const results = await Promise.all(
    Array.from({ length: 50 }, () =>
      manager.withToken(APP, async (token) => {
        calls += 1;
        return wechat.api(token);
      })
    )
  );
  expect(results.every((r) => r.ok)).toBe(true);
  expect(calls).toBe(100);
  // One normal stable_token (the refused token came back) and one force_refresh.
  expect(wechat.calls.length - before).toBe(2);
});

test('two instances refused the same token at once: only one force_refresh; the other instance uses its token', async () => {
  const { wechat, instance } = setup();
  const a = instance();
  const b = instance();
  await a.get(APP);
  await b.get(APP);
  wechat.invalidate(APP);
  // b's stable_token answers after a has forced and stored its token.
  const results = await Promise.all([a.withToken(APP, (t) => wechat.api(t)), b.withToken(APP, (t) => wechat.api(t))]);
  expect(results.map((r) => r.ok)).toEqual([true, true]);
  expect(results[0].token).toBe(results[1].token);
  expect(wechat.fetches(APP, true)).toBe(1);
});

test('errors other than a refused token are not retried and leave the token alone', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  const token = await manager.get(APP);
  let calls = 0;
  await expect(
    manager.withToken(APP, async () => {
      calls += 1;
      throw new WeChatApiError('getuserphonenumber', 40029);
    })
  ).rejects.toMatchObject({ errcode: 40029 });
  expect(calls).toBe(1);
  expect(await manager.get(APP)).toBe(token);
  expect(wechat.fetches()).toBe(1);
});

test('several AppIDs keep their own tokens, in memory and in the store', async () => {
  const { wechat, instance, store } = setup();
  const manager = instance();
  const [a, b] = await Promise.all([manager.get(APP), manager.get(OTHER)]);
  expect(a.startsWith(APP)).toBe(true);
  expect(b.startsWith(OTHER)).toBe(true);
  expect((await store.read(APP))?.accessToken).toBe(a);
  expect((await store.read(OTHER))?.accessToken).toBe(b);
  // Invalidating one app's token touches nothing of the other.
  wechat.invalidate(APP);
  await manager.withToken(APP, (t) => wechat.api(t));
  expect(await manager.get(OTHER)).toBe(b);
  expect(wechat.fetches(OTHER)).toBe(1);
});

test('status tells cached / expiry / refresh time / last errcode, never the token', async () => {
  const { wechat, instance } = setup();
  const manager = instance();
  expect(await manager.status(APP)).toEqual({ cached: false, expiresAt: null, refreshedAt: null, lastErrcode: null });
  const token = await manager.get(APP);
  const status = await manager.status(APP);
  expect(status).toEqual({ cached: true, expiresAt: wechat.clock + 7200_000, refreshedAt: wechat.clock, lastErrcode: null });
  expect(JSON.stringify(status)).not.toContain(token);
  wechat.clock += 7201_000;
  expect((await manager.status(APP)).cached).toBe(false);
});
