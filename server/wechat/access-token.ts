/**
 * The access token of each mini program, shared by every instance of the cluster. Strapi-free: the
 * store (a database row per AppID on Strapi) and the token fetch (stable_token) are handed in.
 *
 * - One token per AppID, kept in `store` for every instance and in memory for this process; read
 *   from the store before WeChat is asked, so a cluster asks WeChat about once per token lifetime.
 * - Refreshed ahead of its expiry (`refreshAheadMs`, default 5 minutes): stable_token in normal mode
 *   then hands out the next token while the current one keeps working, so no instance invalidates
 *   another's. When the refresh fails, the current token is used until it really expires.
 * - One fetch in flight per AppID per process: concurrent callers wait for it.
 * - `withToken(appId, call)`: a call refused with 40001/40014/42001 gets the current token once
 *   (the store, then stable_token) and is retried once, billed calls included: WeChat did nothing
 *   with a refused token. No other failure is retried (retryOnFreshToken in ./errors).
 * - force_refresh (which invalidates the token for everyone) only when stable_token hands back the
 *   very token that was just refused, at most 20 a day and 30 s apart per AppID, counted in the
 *   store, and claimed there by one instance at a time.
 * - Never loops: a call is tried at most twice, a recovery asks WeChat at most twice.
 * Nothing here logs or returns the token itself except to the call that uses it.
 */
import { retryOnFreshToken } from './errors';

export interface TokenRecord {
  appId: string;
  accessToken: string | null;
  /** ms since the epoch. */
  expiresAt: number | null;
  refreshedAt: number | null;
  lastErrcode: number | null;
  lastErrorAt: number | null;
  /** When force_refresh was used (ms since the epoch), the last day's. */
  forceRefreshes: number[];
}

export type TokenRecordChange = Partial<Omit<TokenRecord, 'appId'>>;

/** Where the tokens live for every instance (server/services/access-token-store.ts on Strapi). */
export interface AccessTokenStore {
  read(appId: string): Promise<TokenRecord | null>;
  /** Creates or updates the AppID's record with `change`. */
  write(appId: string, change: TokenRecordChange): Promise<void>;
  /** Writes `change` only when the stored token is still `expectedToken` (compare and set; null: none stored); true when written. */
  writeIf(appId: string, expectedToken: string | null, change: TokenRecordChange): Promise<boolean>;
}

export interface FetchedToken {
  accessToken: string;
  /** Seconds, as stable_token answers. */
  expiresIn: number;
}

export interface AccessTokenStatus {
  /** A token is stored and not expired. */
  cached: boolean;
  expiresAt: number | null;
  refreshedAt: number | null;
  lastErrcode: number | null;
}

export interface AccessTokenManagerOptions {
  /** stable_token for the AppID (its credentials are the caller's business). */
  fetchToken: (appId: string, options: { forceRefresh: boolean }) => Promise<FetchedToken>;
  store: AccessTokenStore;
  now?: () => number;
  /** How long before its expiry a token is replaced (default 5 minutes). */
  refreshAheadMs?: number;
  /** force_refresh limits per AppID (default WeChat's: 20 a day, 30 s apart). */
  forceRefresh?: { perDay: number; minIntervalMs: number };
  /** How long to wait for the token of another instance's force_refresh (default: 3 s). */
  claimWaitMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface AccessTokenManager {
  /** The token to call WeChat with now. */
  get(appId: string): Promise<string>;
  /** Runs `call` with the token; a refused token is replaced once and the call retried once on the new one (nothing else is retried). */
  withToken<T>(appId: string, call: (accessToken: string) => Promise<T>): Promise<T>;
  /** What the store holds for the AppID (never the token). */
  status(appId: string): Promise<AccessTokenStatus>;
  /** Drops this process's copy (the store is left as it is). */
  forget(appId?: string): void;
}

const DAY_MS = 24 * 3600 * 1000;
/** However short a token's life, it is not asked for again sooner than this (nor than half its life). */
const MIN_REFRESH_GAP_MS = 30_000;
/** After a failed refresh, the current token is used this long before WeChat is asked again. */
const RETRY_REFRESH_AFTER_MS = 10_000;
/** How often the store is read while another instance's force_refresh is under way. */
const CLAIM_POLL_MS = 100;

interface Cached {
  token: string;
  expiresAt: number;
  /** When this process asks again (the store first). */
  refreshAt: number;
}

const errcodeOf = (error: unknown): number | null => {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode : null;
};

export function createAccessTokenManager(options: AccessTokenManagerOptions): AccessTokenManager {
  const { fetchToken, store } = options;
  const now = options.now ?? Date.now;
  const refreshAheadMs = options.refreshAheadMs ?? 5 * 60 * 1000;
  const limits = options.forceRefresh ?? { perDay: 20, minIntervalMs: 30_000 };
  const claimWaitMs = options.claimWaitMs ?? 3000;
  const log = options.log ?? (() => undefined);

  const memory = new Map<string, Cached>();
  const refreshing = new Map<string, Promise<Cached>>();
  const recovering = new Map<string, Promise<string | null>>();

  /** When a token fetched at `refreshedAt` is replaced: `refreshAheadMs` before expiry, but not at once when it was handed out that close to it. */
  function refreshAtOf(expiresAt: number, refreshedAt: number): number {
    const life = Math.max(0, expiresAt - refreshedAt);
    const gap = Math.max(1000, Math.min(MIN_REFRESH_GAP_MS, life / 2));
    return Math.min(expiresAt, Math.max(expiresAt - refreshAheadMs, refreshedAt + gap));
  }

  function fromRecord(record: TokenRecord | null): Cached | null {
    if (!record?.accessToken || record.expiresAt === null) return null;
    return { token: record.accessToken, expiresAt: record.expiresAt, refreshAt: refreshAtOf(record.expiresAt, record.refreshedAt ?? record.expiresAt) };
  }

  function singleFlight<T>(inflight: Map<string, Promise<T>>, appId: string, work: () => Promise<T>): Promise<T> {
    let running = inflight.get(appId);
    if (!running) {
      running = work().finally(() => inflight.delete(appId));
      inflight.set(appId, running);
    }
    return running;
  }

  /** Stores a token WeChat just handed out, for every instance and for this process. */
  async function keep(appId: string, fetched: FetchedToken, change: TokenRecordChange = {}): Promise<Cached> {
    const at = now();
    const expiresAt = at + Math.max(0, fetched.expiresIn) * 1000;
    await store.write(appId, { accessToken: fetched.accessToken, expiresAt, refreshedAt: at, ...change });
    const cached = { token: fetched.accessToken, expiresAt, refreshAt: refreshAtOf(expiresAt, at) };
    memory.set(appId, cached);
    return cached;
  }

  /** Notes a WeChat errcode for the admin page; a store failure here is not the caller's problem. */
  async function noteError(appId: string, error: unknown): Promise<void> {
    const errcode = errcodeOf(error);
    if (errcode === null) return;
    try {
      await store.write(appId, { lastErrcode: errcode, lastErrorAt: now() });
    } catch {
      log('warn', `[wechat-auth] could not record errcode ${errcode} of the access token of ${appId}`);
    }
  }

  /**
   * Stores a token fetched after `read` was read, unless another instance stored one since: then
   * theirs is used. A token not stored (another instance's force_refresh under way) serves this
   * process only, and the store is read again a moment later.
   */
  async function keepUnlessReplaced(appId: string, read: TokenRecord | null, fetched: FetchedToken): Promise<Cached> {
    if (!read) return keep(appId, fetched, { lastErrcode: null });
    const at = now();
    const expiresAt = at + Math.max(0, fetched.expiresIn) * 1000;
    const ours = { token: fetched.accessToken, expiresAt, refreshAt: refreshAtOf(expiresAt, at) };
    if (await store.writeIf(appId, read.accessToken, { accessToken: fetched.accessToken, expiresAt, refreshedAt: at, lastErrcode: null })) {
      memory.set(appId, ours);
      return ours;
    }
    const theirs = fromRecord(await store.read(appId));
    if (theirs && now() < theirs.refreshAt) {
      memory.set(appId, theirs);
      return theirs;
    }
    const forNow = { ...ours, refreshAt: Math.min(ours.refreshAt, now() + 1000) };
    memory.set(appId, forNow);
    return forNow;
  }

  async function refresh(appId: string, previous: Cached | undefined): Promise<Cached> {
    const record = await store.read(appId);
    const stored = fromRecord(record);
    const at = now();
    // Another instance (or this one, before a restart) already has a current token.
    if (stored && at < stored.refreshAt) {
      memory.set(appId, stored);
      return stored;
    }
    try {
      const fetched = await fetchToken(appId, { forceRefresh: false });
      const kept = await keepUnlessReplaced(appId, record, fetched);
      log('info', `[wechat-auth] access token of ${appId} fetched (valid ${Math.round(fetched.expiresIn)} s)`);
      return kept;
    } catch (error) {
      await noteError(appId, error);
      const usable = [previous, stored].filter((c): c is Cached => !!c && now() < c.expiresAt).sort((a, b) => b.expiresAt - a.expiresAt)[0];
      if (!usable) throw error;
      const reason = error instanceof Error ? error.message : 'unknown failure';
      log('warn', `[wechat-auth] could not refresh the access token of ${appId} (${reason}): the current one is used until it expires`);
      const fallback = { ...usable, refreshAt: Math.min(usable.expiresAt, now() + RETRY_REFRESH_AFTER_MS) };
      memory.set(appId, fallback);
      return fallback;
    }
  }

  async function get(appId: string): Promise<string> {
    // A refused token is being replaced here: wait for its replacement rather than fetch beside it.
    const recovery = recovering.get(appId);
    if (recovery) {
      const replaced = await recovery.catch(() => null);
      if (replaced) return replaced;
    }
    const cached = memory.get(appId);
    if (cached && now() < cached.refreshAt) return cached.token;
    return (await singleFlight(refreshing, appId, () => refresh(appId, cached))).token;
  }

  function forceAllowed(record: TokenRecord | null, at: number): { allowed: boolean; recent: number[] } {
    const recent = (record?.forceRefreshes ?? []).filter((t) => t > at - DAY_MS);
    const last = recent.length ? Math.max(...recent) : null;
    return { allowed: recent.length < limits.perDay && (last === null || at - last >= limits.minIntervalMs), recent };
  }

  /** Another instance claimed the force_refresh: its token, once it has stored it (a bounded wait), or null. */
  async function awaitOtherInstance(appId: string, rejected: string, waitMs: number): Promise<string | null> {
    for (let waited = 0; ; waited += CLAIM_POLL_MS) {
      const other = fromRecord(await store.read(appId));
      if (other && other.token !== rejected && now() < other.expiresAt) {
        memory.set(appId, other);
        return other.token;
      }
      if (waited >= waitMs) return null;
      await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
    }
  }

  /** After WeChat refused `rejected`: the token to use now, or null when none can be had. */
  async function recover(appId: string, rejected: string, rejection: unknown): Promise<string | null> {
    await noteError(appId, rejection);
    const record = await store.read(appId);
    const stored = fromRecord(record);
    // Another instance replaced it already (a force_refresh there is what made ours stale).
    if (stored && stored.token !== rejected && now() < stored.expiresAt) {
      memory.set(appId, stored);
      return stored.token;
    }
    const fetched = await fetchToken(appId, { forceRefresh: false });
    if (fetched.accessToken !== rejected) return (await keep(appId, fetched)).token;

    // WeChat hands back the very token it refused: only a force_refresh replaces it.
    const at = now();
    const { allowed, recent } = forceAllowed(record, at);
    if (!allowed) {
      // Perhaps another instance forced a refresh a moment ago: its token, once it is stored.
      const last = recent.length ? Math.max(...recent) : null;
      const other = await awaitOtherInstance(appId, rejected, last !== null && at - last < claimWaitMs ? claimWaitMs : 0);
      if (other) return other;
      log(
        'warn',
        `[wechat-auth] WeChat refused the access token of ${appId} and hands it out again; no force_refresh now (${recent.length} in the last day, at most ${limits.perDay}, ${Math.round(limits.minIntervalMs / 1000)} s apart)`
      );
      return null;
    }
    // Claimed in the store: the one instance whose compare-and-set wins forces; the others read its token.
    const claimed = await store.writeIf(appId, rejected, { accessToken: null, expiresAt: null, forceRefreshes: [...recent, at] });
    if (!claimed) return awaitOtherInstance(appId, rejected, claimWaitMs);
    memory.delete(appId);
    let forced: FetchedToken;
    try {
      forced = await fetchToken(appId, { forceRefresh: true });
    } catch (error) {
      await noteError(appId, error);
      throw error;
    }
    log('warn', `[wechat-auth] WeChat refused the access token of ${appId} and handed it out again: force_refresh used (${recent.length + 1} in the last day)`);
    return (await keep(appId, forced)).token;
  }

  return {
    get,

    async withToken(appId, call) {
      const token = await get(appId);
      try {
        return await call(token);
      } catch (error) {
        if (!retryOnFreshToken(error)) throw error;
        // Someone here already replaced it: use theirs; otherwise one recovery per AppID at a time.
        const current = memory.get(appId);
        const fresh =
          current && current.token !== token && now() < current.expiresAt
            ? current.token
            : await singleFlight(recovering, appId, () => recover(appId, token, error));
        if (!fresh) throw error;
        // A second refusal is the caller's error: never loops.
        return call(fresh);
      }
    },

    async status(appId) {
      const record = await store.read(appId);
      return {
        cached: Boolean(record?.accessToken && record.expiresAt !== null && now() < record.expiresAt),
        expiresAt: record?.accessToken ? record.expiresAt : null,
        refreshedAt: record?.refreshedAt ?? null,
        lastErrcode: record?.lastErrcode ?? null,
      };
    },

    forget(appId) {
      if (appId) memory.delete(appId);
      else memory.clear();
    },
  };
}
