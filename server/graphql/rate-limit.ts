import type { Context } from 'koa';
import { createRateLimiter } from '../middlewares/rate-limit';
import type { Strapi } from '../types';

/**
 * The route key of the REST login (its handler, server/routes/index.ts): the GraphQL login counts in
 * the very budget of the two REST login URLs, per client IP, so a third entry point adds no attempts.
 */
const LOGIN_ROUTE_KEY = 'auth.login';

/**
 * Runs `work` inside the login's rate limit. Checked per resolver call, not per POST /graphql: one
 * request may carry several login mutations (aliases, batches), and other GraphQL operations must
 * not spend the login budget.
 */
export function loginRateLimit(strapi: Strapi) {
  const limiter = createRateLimiter(strapi, () => LOGIN_ROUTE_KEY);
  return async <T>(ctx: Context, work: () => Promise<T>): Promise<T> => {
    const run: { done: boolean; value?: T } = { done: false };
    await limiter(ctx, async () => {
      run.value = await work();
      run.done = true;
    });
    // The limiter throws RateLimitError when over budget; otherwise it has run `work`.
    if (!run.done) throw new Error('[wechat-auth] the rate limiter did not run the login');
    return run.value as T;
  };
}
