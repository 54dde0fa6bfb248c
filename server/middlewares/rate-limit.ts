import path from 'path';
import { errors } from '@strapi/utils';
import type { Context, Next } from 'koa';
import { RateLimit } from 'koa2-ratelimit';
import type { Strapi } from '../types';
import { pluginConfig } from '../strapi';
import { PLUGIN_ID } from '../utils/plugin-id';

/**
 * The rate limit users-permissions puts on its own auth routes (koa2-ratelimit), driven by this
 * plugin's `ratelimit` config. One limiter per route, built once; the count is kept per client IP
 * and route handler, so the login's two URLs (/strapi-wechat-miniprogram-auth/login and
 * /api/strapi-wechat-miniprogram-auth/login) share one budget (koa2-ratelimit's memory store is
 * process-wide). The path stands in for a route without a string handler.
 */
export default (_config: unknown, { strapi }: { strapi: Strapi }) => createRateLimiter(strapi, routeKey);

/**
 * A koa middleware counting requests in the `ratelimit` budget under `routeKeyOf(ctx)` and the
 * client IP (a pass-through when the rate limit is disabled). Limiters built with the same route key
 * share the count: koa2-ratelimit's memory store is process-wide.
 */
export function createRateLimiter(strapi: Strapi, routeKeyOf: (ctx: Context) => string): (ctx: Context, next: Next) => Promise<unknown> {
  const { enabled, interval, max } = pluginConfig(strapi, 'ratelimit');
  if (!enabled) return (_ctx: Context, next: Next) => next();

  const limiter = RateLimit.middleware({
    interval,
    max,
    prefixKey: PLUGIN_ID,
    keyGenerator: async (ctx: Context) => `${PLUGIN_ID}:${routeKeyOf(ctx)}:${ctx.request.ip}`,
    handler() {
      throw new errors.RateLimitError('Too many login attempts from this address, retry later');
    },
  });
  return (ctx: Context, next: Next) => limiter(ctx, next);
}

function routeKey(ctx: Context): string {
  const handler = (ctx.state as { route?: { handler?: unknown } }).route?.handler;
  return typeof handler === 'string' ? handler : path.posix.normalize(ctx.request.path).toLowerCase();
}
