import type { Env } from './env';

/**
 * The simulator's demo Official Account and website app (DEMO_WEB_APPS, started by `npm run develop` with
 * --web-logins), for the pages in public/web-login (docs/web-logins.md).
 */
const DEMO_WEB_APPS = [
  { appId: 'wx0123456789abcd01', appSecret: '0123456789abcdef0123456789abcd01', type: 'officialAccount', name: 'Demo Official Account' },
  { appId: 'wx0123456789abcd02', appSecret: '0123456789abcdef0123456789abcd02', type: 'website', name: 'Demo website app' },
];

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
      apps: [...env.json<unknown[]>('WECHAT_APPS', []), ...(env.bool('PLAYGROUND_WEB_LOGINS', false) ? DEMO_WEB_APPS : [])],
      // The embedded WeChat API simulator (npm run develop starts it).
      apiBaseUrl: env('WECHAT_API_BASE_URL', 'http://127.0.0.1:8900'),
      timeout: env.int('WECHAT_TIMEOUT', 5000),
      // Browser logins (docs/web-logins.md): the pages they may return to, and where WeChat's consent pages are (the simulator).
      oauth: {
        redirectAllowList: env.array('WECHAT_OAUTH_REDIRECT_ALLOW_LIST', ['http://localhost:1337/web-login/', 'http://127.0.0.1:1337/web-login/']),
        authorizeBaseUrl: env('WECHAT_AUTHORIZE_BASE_URL', env('WECHAT_API_BASE_URL', 'http://127.0.0.1:8900')),
      },
      ratelimit: {
        enabled: env.bool('WECHAT_RATELIMIT_ENABLED', true),
        interval: env.int('WECHAT_RATELIMIT_INTERVAL_MS', 60000),
        max: env.int('WECHAT_RATELIMIT_MAX', 600),
      },
      // AppSecrets, access tokens and session keys are sealed with this key (npm run develop makes one in playground/.env).
      encryption: { key: env('WECHAT_AUTH_ENCRYPTION_KEY'), onMissingKey: env('WECHAT_AUTH_ON_MISSING_KEY', 'warn') },
      // PUT /api/strapi-wechat-miniprogram-auth/profile (docs/profile.md). Avatars go to the Media Library
      // (public/uploads here); with WECHAT_CONTENT_SECURITY=true nicknames are checked by the simulator's
      // msg_sec_check ("risky" and "违禁词" are refused, "review" and "待审核" accepted for review).
      profile: {
        avatarMaxBytes: env.int('WECHAT_AVATAR_MAX_BYTES', 2 * 1024 * 1024),
        nicknameMaxLength: env.int('WECHAT_NICKNAME_MAX_LENGTH', 32),
        contentSecurity: env.bool('WECHAT_CONTENT_SECURITY', false),
      },
      // The admin page's login activity charts (npm run bench:activity turns the counting off in one of its two Strapis).
      activity: { enabled: env.bool('WECHAT_ACTIVITY_ENABLED', true) },
      // Logging in on a web page by scanning a mini program code (docs/qr-login.md): http://localhost:1337/qr-login.html.
      // The example mini program's confirm page, in its development version (no published version to check against).
      qrLogin: {
        enabled: env.bool('WECHAT_QR_LOGIN_ENABLED', true),
        page: 'pages/qr-login/index',
        envVersion: 'develop',
        checkPath: false,
      },
    },
  },
});
