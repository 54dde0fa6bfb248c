import path from 'path';
import type { Context, Next } from 'koa';
import type { Strapi } from '../types';
import { pluginConfig } from '../strapi';
import { intervalMs } from '../rate-limit/budget';
import { getService } from '../utils/get-service';

export const LOGIN_LIMIT_MESSAGE = 'Too many login attempts from this address, retry later';

/**
 * The login's rate limit, driven by the plugin's `ratelimit` config: counted per client address
 * (behind the trusted proxies, IPv6 by /64) and route handler, so the login's two URLs
 * (/strapi-wechat-miniprogram-auth/login and /api/strapi-wechat-miniprogram-auth/login) share one
 * budget. The path stands in for a route without a string handler.
 */
export default (_config: unknown, { strapi }: { strapi: Strapi }) => createRateLimiter(strapi, routeKey);

/**
 * A koa middleware counting requests in the `ratelimit` budget under `routeKeyOf(ctx)` and the
 * client address (a pass-through when the rate limit is disabled). Limiters built with the same
 * route key share the count.
 */
export function createRateLimiter(strapi: Strapi, routeKeyOf: (ctx: Context) => string): (ctx: Context, next: Next) => Promise<void> {
  const { enabled, interval, max } = pluginConfig(strapi, 'ratelimit');
  if (!enabled)
    return async (_ctx: Context, next: Next) => {
      await next();
    };
  const budget = { windowMs: intervalMs(interval), max };
  return async (ctx: Context, next: Next) => {
    const limits = getService(strapi, 'rateLimits');
    await limits.consume(ctx, { kind: routeKeyOf(ctx), id: limits.clientBucket(ctx), budget, message: LOGIN_LIMIT_MESSAGE });
    await next();
  };
}

function routeKey(ctx: Context): string {
  const handler = (ctx.state as { route?: { handler?: unknown } }).route?.handler;
  return typeof handler === 'string' ? handler : path.posix.normalize(ctx.request.path).toLowerCase();
}
