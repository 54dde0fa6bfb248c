import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import { pluginConfig } from '../strapi';
import type { PerUserRateLimitConfig, RateLimitStoreConfig, Strapi } from '../types';
import { intervalMs, type Budget } from '../rate-limit/budget';
import { addressBucket, clientAddress, coarseNetwork } from '../rate-limit/client-address';
import { MemoryCounterStore, type CounterStore } from '../rate-limit/counter-store';
import { RedisCounterStore } from '../rate-limit/redis-store';

export const DEFAULT_REDIS_PREFIX = 'strapi-wechat-miniprogram-auth:ratelimit:';
export const DEFAULT_REDIS_TIMEOUT = 200;
export const USER_LIMIT_MESSAGE = 'Too many requests from this account, retry later';
export const QR_LOGIN_LIMIT_MESSAGE = 'Too many login codes requested from this network, retry later';

/** The route families limited per user (`ratelimit.perUser`). */
export type PerUserFamily = keyof PerUserRateLimitConfig;

/** How long startup waits for a configured Redis before going on without it (failing open). */
const REDIS_STARTUP_WAIT_MS = 2000;

export interface Consumption {
  /** What is counted, e.g. the login's route or `user:phone`: the only part of a key that may be logged. */
  kind: string;
  /** Whose count: an address bucket or a user id. Never logged. */
  id: string;
  budget: Budget;
  /** The 429's message. */
  message: string;
}

/** Koa's own proxy settings (Strapi 4 `proxy: true`, Strapi 5 `proxy: { koa: true }`). */
interface KoaProxySettings {
  proxy?: boolean;
  maxIpsCount?: number;
  proxyIpHeader?: string;
}

/**
 * The plugin's rate limits: one counter store per Strapi instance (memory, or Redis shared by every
 * instance), counting for the login (per client address) and the routes that spend WeChat quota
 * (per user).
 */
export default ({ strapi }: { strapi: Strapi }) => {
  let store: CounterStore | undefined;

  function createStore(config: RateLimitStoreConfig): CounterStore {
    if (config.type !== 'redis') return new MemoryCounterStore();
    return new RedisCounterStore(
      { url: config.url, prefix: config.prefix ?? DEFAULT_REDIS_PREFIX, timeout: config.timeout ?? DEFAULT_REDIS_TIMEOUT },
      {
        down: (reason) =>
          strapi.log.warn(`[wechat-auth] rate limit: the Redis store does not answer (${reason}): requests go through uncounted until it answers again`),
        up: () => strapi.log.info('[wechat-auth] rate limit: the Redis store answers again: requests are counted again'),
      }
    );
  }

  const storeOf = () => (store ??= createStore(pluginConfig(strapi, 'ratelimit').store));

  /** Proxies trusted to append the client to X-Forwarded-For: the plugin's setting, else the app's. */
  function trustedProxies(app: KoaProxySettings): number {
    const configured = pluginConfig(strapi, 'ratelimit').trustedProxies;
    if (typeof configured === 'number') return configured;
    if (!app.proxy) return 0;
    return app.maxIpsCount && app.maxIpsCount > 0 ? app.maxIpsCount : 1;
  }

  /** Counts one request; past the budget throws RateLimitError (429 in Strapi's error format). */
  async function consume(ctx: Context, { kind, id, budget, message }: Consumption): Promise<void> {
    const hit = await storeOf().hit(`${kind}:${id}`, budget.windowMs);
    // The store cannot count: the request goes through, without the headers.
    if (!hit) return;
    ctx.set('X-RateLimit-Limit', String(budget.max));
    ctx.set('X-RateLimit-Remaining', String(Math.max(0, budget.max - hit.count)));
    ctx.set('X-RateLimit-Reset', String(Math.ceil(hit.resetAt / 1000)));
    if (hit.count <= budget.max) return;
    ctx.set('Retry-After', String(Math.max(1, Math.ceil((hit.resetAt - Date.now()) / 1000))));
    throw new errors.RateLimitError(message);
  }

  /** The client's address, behind the trusted proxies. */
  function requestAddress(ctx: Context): string | undefined {
    const app = ctx.app as KoaProxySettings;
    const header = (app.proxyIpHeader || 'X-Forwarded-For').toLowerCase();
    const forwardedFor = ctx.request.headers[header];
    return clientAddress({
      socketAddress: ctx.req.socket.remoteAddress,
      forwardedFor: Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor,
      trustedProxies: trustedProxies(app),
    });
  }

  return {
    consume,

    /**
     * Counts one request of `family` for the user (the users-permissions JWT's user), when
     * `ratelimit.perUser[family]` is on. Called once the request is valid, just before WeChat.
     */
    async consumeUser(ctx: Context, family: PerUserFamily, userId: number): Promise<void> {
      const { enabled, perUser } = pluginConfig(strapi, 'ratelimit');
      const configured = perUser[family];
      if (!enabled || !configured) return;
      const budget = { windowMs: intervalMs(configured.interval), max: configured.max };
      await consume(ctx, { kind: `user:${family}`, id: String(userId), budget, message: USER_LIMIT_MESSAGE });
    },

    /** Counts the creation of a QR login ticket from `network` (the client's IPv4 /24 or IPv6 /48), when `qrLogin.ratelimit` is on. */
    async consumeQrLogin(ctx: Context, network: string): Promise<void> {
      const configured = pluginConfig(strapi, 'qrLogin').ratelimit;
      if (!pluginConfig(strapi, 'ratelimit').enabled || !configured) return;
      const budget = { windowMs: intervalMs(configured.interval), max: configured.max };
      await consume(ctx, { kind: 'qr-login', id: network, budget, message: QR_LOGIN_LIMIT_MESSAGE });
    },

    /** Opens the store (a configured Redis: waits briefly for the first connection). */
    async start(): Promise<void> {
      const { enabled } = pluginConfig(strapi, 'ratelimit');
      const opened = enabled ? storeOf() : undefined;
      if (opened instanceof RedisCounterStore) await opened.ready(REDIS_STARTUP_WAIT_MS);
    },

    /** The bucket of the request's client address (docs/configuration.md, "Proxies"). */
    clientBucket(ctx: Context): string {
      return addressBucket(requestAddress(ctx));
    },

    /** The coarse network of the request's client address (IPv4 /24, IPv6 /48): where a request came from, roughly. */
    clientNetwork(ctx: Context): string {
      return coarseNetwork(requestAddress(ctx));
    },

    async close(): Promise<void> {
      const closing = store;
      store = undefined;
      await closing?.close();
    },
  };
};
