/**
 * Access tokens as stable_token hands them out, and as every other API checks them.
 *
 * - Normal mode: the current token of the AppID, with `expires_in` counting down. Within the last `renewAheadMs` of
 *   its life a new one is issued; the old one keeps working until it expires (WeChat's 5-minute overlap).
 * - force_refresh: a new token; every earlier token of the AppID stops working (40001). At most `dailyLimit` a
 *   (Beijing) day (45009 beyond), and `intervalMs` apart: sooner, the current token comes back unchanged, as WeChat
 *   documents ("otherwise it does not refresh"), or 45011 with `tooSoon: 'errcode'`.
 * - invalidate(): the current token answers 40001 from then on. Normal mode keeps handing out that dead token until
 *   a force_refresh or its expiry (what WeChat does when a token was invalidated elsewhere), or, with
 *   `stableReturnsNew`, hands out a fresh one at the next call.
 * - expire(): the current token answers 42001 from then on; normal mode hands out a fresh one.
 */
import { randomBytes } from 'crypto';

interface TokenRecord {
  token: string;
  appId: string;
  expiresAt: number;
  invalidated: boolean;
  /** Invalidated, but normal mode still hands it out. */
  handedOutDead: boolean;
  expired: boolean;
}

interface AppTokens {
  current: TokenRecord | null;
  /** Tokens of this AppID that may still be valid (the current one and an overlapping predecessor). */
  live: TokenRecord[];
  forcedDay: number;
  forcedToday: number;
  lastForcedAt: number | null;
}

export interface TokenRegistryOptions {
  ttlMs: number;
  renewAheadMs: number;
  dailyLimit: number;
  intervalMs: number;
  tooSoon: 'same-token' | 'errcode';
  now: () => number;
}

export type TokenCheck = { ok: true; appId: string } | { ok: false; errcode: number; appId?: string };

/** The shape of the tokens this simulator issues; anything else answers 40014. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{64}$/;

const MAX_RECORDS = 10_000;
const DAY_MS = 24 * 3600 * 1000;
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

export class TokenRegistry {
  private readonly records = new Map<string, TokenRecord>();
  private readonly apps = new Map<string, AppTokens>();

  constructor(private readonly options: TokenRegistryOptions) {}

  /** Normal mode: the token to hand out now, issuing one when needed. */
  normal(appId: string): { access_token: string; expires_in: number } {
    const now = this.options.now();
    const app = this.app(appId);
    const current = app.current;
    const usable =
      current !== null && !current.expired && current.expiresAt - now > this.options.renewAheadMs && (!current.invalidated || current.handedOutDead);
    return this.answer(usable ? current : this.issue(app, appId, now), now);
  }

  /** force_refresh: a new token, the earlier ones invalidated; or an errcode when over the quota. */
  force(appId: string): { access_token: string; expires_in: number } | { errcode: number } {
    const now = this.options.now();
    const app = this.app(appId);
    const day = Math.floor((now + BEIJING_OFFSET_MS) / DAY_MS);
    if (app.forcedDay !== day) {
      app.forcedDay = day;
      app.forcedToday = 0;
    }
    if (app.forcedToday >= this.options.dailyLimit) return { errcode: 45009 };
    if (app.lastForcedAt !== null && now - app.lastForcedAt < this.options.intervalMs) {
      return this.options.tooSoon === 'errcode' ? { errcode: 45011 } : this.normal(appId);
    }
    for (const record of app.live) record.invalidated = true;
    app.forcedToday += 1;
    app.lastForcedAt = now;
    return this.answer(this.issue(app, appId, now), now);
  }

  /** The current token of `appId` stops working (40001). Returns it, or null when there is none. */
  invalidate(appId: string, options: { stableReturnsNew?: boolean } = {}): string | null {
    const current = this.apps.get(appId)?.current;
    if (!current) return null;
    current.invalidated = true;
    current.handedOutDead = !options.stableReturnsNew;
    return current.token;
  }

  /** The current token of `appId` answers 42001 from now on. Returns it, or null when there is none. */
  expire(appId: string): string | null {
    const current = this.apps.get(appId)?.current;
    if (!current) return null;
    current.expired = true;
    return current.token;
  }

  /** Forgets today's force_refresh count and spacing of `appId` (WeChat's clear_quota). */
  clearQuota(appId: string): void {
    const app = this.apps.get(appId);
    if (!app) return;
    app.forcedToday = 0;
    app.lastForcedAt = null;
  }

  /** The AppID a token was issued to, whatever its state. */
  appIdOf(token: string | null): string | undefined {
    return token ? this.records.get(token)?.appId : undefined;
  }

  /** What an API called with `?access_token=token` finds. */
  check(token: string | null): TokenCheck {
    if (!token) return { ok: false, errcode: 41001 };
    if (!TOKEN_PATTERN.test(token)) return { ok: false, errcode: 40014 };
    const record = this.records.get(token);
    if (!record) return { ok: false, errcode: 40001 };
    if (record.invalidated) return { ok: false, errcode: 40001, appId: record.appId };
    if (record.expired || record.expiresAt <= this.options.now()) return { ok: false, errcode: 42001, appId: record.appId };
    return { ok: true, appId: record.appId };
  }

  private app(appId: string): AppTokens {
    let app = this.apps.get(appId);
    if (!app) {
      app = { current: null, live: [], forcedDay: -1, forcedToday: 0, lastForcedAt: null };
      this.apps.set(appId, app);
    }
    return app;
  }

  private issue(app: AppTokens, appId: string, now: number): TokenRecord {
    const record: TokenRecord = {
      token: randomBytes(48).toString('base64url'),
      appId,
      expiresAt: now + this.options.ttlMs,
      invalidated: false,
      handedOutDead: false,
      expired: false,
    };
    app.live = app.live.filter((r) => !r.invalidated && !r.expired && r.expiresAt > now);
    app.live.push(record);
    app.current = record;
    this.records.set(record.token, record);
    if (this.records.size > MAX_RECORDS) this.records.delete(this.records.keys().next().value as string);
    return record;
  }

  private answer(record: TokenRecord, now: number): { access_token: string; expires_in: number } {
    return { access_token: record.token, expires_in: Math.max(0, Math.round((record.expiresAt - now) / 1000)) };
  }
}
