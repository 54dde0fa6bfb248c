/** The part of koa2-ratelimit (no typings of its own) the rate-limit middleware uses. */
declare module 'koa2-ratelimit' {
  import type { Context, Next } from 'koa';

  export const RateLimit: {
    middleware(options: {
      interval: number | Record<string, number>;
      max: number;
      prefixKey?: string;
      keyGenerator?: (ctx: Context) => Promise<string>;
      handler?: (ctx: Context) => void;
    }): (ctx: Context, next: Next) => Promise<void>;
  };
}
