'use strict';

/**
 * What-if, for measuring only (never loaded by the plugin): the plugin's credentials service
 * reads the plugin store at most once a second instead of on every login.
 *   BENCH_NODE_FLAGS="-r ./bench/what-if/credentials-cache.js" node bench/run.js --only=returning
 */
const TTL_MS = 1000;

const timer = setInterval(() => {
  const strapi = global.strapi;
  if (!strapi || !strapi.isLoaded) return;
  clearInterval(timer);
  const service = strapi.plugin('strapi-wechat-miniprogram-auth').service('credentials');
  const get = service.get.bind(service);
  let cached = null;
  service.get = async () => {
    if (cached && cached.until > Date.now()) return cached.value;
    const value = await get();
    cached = { value, until: Date.now() + TTL_MS };
    return value;
  };
}, 20);
timer.unref();
