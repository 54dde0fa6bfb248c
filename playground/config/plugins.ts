import type { Env } from './env';
export default ({ env }: { env: Env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'playground-users-permissions-jwt-secret'),
      // npm run bench turns it off to measure POST /api/auth/local itself.
      ratelimit: { enabled: env.bool('UP_RATELIMIT_ENABLED', true) },
    },
  },
  'strapi-wechat-miniprogram-auth': {
    enabled: true,
    config: {
      // Production: leave these unset and use the admin panel, or set them from the environment.
      appId: env('WECHAT_APP_ID'),
      appSecret: env('WECHAT_APP_SECRET'),
      // More apps as JSON, e.g. [{"appId":"wx…","name":"…"}] (the admin e2e test lists one read-only this way).
      apps: env.json('WECHAT_APPS', []),
      // The embedded WeChat API simulator (npm run develop starts it).
      apiBaseUrl: env('WECHAT_API_BASE_URL', 'http://127.0.0.1:8900'),
      timeout: env.int('WECHAT_TIMEOUT', 5000),
      ratelimit: {
        enabled: env.bool('WECHAT_RATELIMIT_ENABLED', true),
        interval: env.int('WECHAT_RATELIMIT_INTERVAL_MS', 60000),
        max: env.int('WECHAT_RATELIMIT_MAX', 600),
      },
    },
  },
});
