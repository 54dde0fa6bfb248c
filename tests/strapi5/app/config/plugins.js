// The plugin's config comes from the test (WECHAT_AUTH_CONFIG, JSON), as config/plugins.js would hold it.
// `resolve`: the plugin is linked into node_modules by tests/strapi5/link-plugin.js, not listed in
// package.json (npm ci would install it from the registry); an app that installed it needs no `resolve`.
module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'strapi5-test-jwt-secret'),
      jwtManagement: env('UP_JWT_MANAGEMENT', 'legacy-support'),
    },
  },
  'strapi-wechat-miniprogram-auth': {
    enabled: true,
    resolve: './node_modules/strapi-wechat-miniprogram-auth',
    config: JSON.parse(env('WECHAT_AUTH_CONFIG', '{}')),
  },
});
