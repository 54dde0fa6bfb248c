module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1338),
  app: { keys: env.array('APP_KEYS', ['strapi5-test-key-a', 'strapi5-test-key-b']) },
  // Behind a reverse proxy (Strapi 5's form of Koa's proxy setting): the rate-limit test turns it on.
  ...(env.bool('STRAPI_BEHIND_PROXY', false) ? { proxy: { koa: true } } : {}),
});
