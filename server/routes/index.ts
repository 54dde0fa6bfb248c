import { PLUGIN_ID } from '../utils/plugin-id';

// Admin-type routes are served without the /api prefix: the login URL stays
// POST /strapi-wechat-miniprogram-auth/login, as the original plugin documented it.
export default [
  {
    method: 'POST',
    path: '/login',
    handler: 'auth.login',
    config: {
      auth: false,
      middlewares: [`plugin::${PLUGIN_ID}.rateLimit`],
    },
  },
];
