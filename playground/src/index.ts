// The simulator's demo mini program (see simulator/wechat-simulator.ts, DEMO_APP).
const DEMO_CREDENTIALS = { appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' };

export default {
  register() {},
  async bootstrap({ strapi }: { strapi: any }) {
    // So that a login works right after `npm run develop`. Set PLAYGROUND_SEED_CREDENTIALS=false
    // to start unconfigured and enter the credentials in the admin panel instead.
    if (process.env.PLAYGROUND_SEED_CREDENTIALS === 'false') return;
    const store = strapi.store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' });
    if (!(await store.get({ key: 'settings' }))) {
      await store.set({ key: 'settings', value: DEMO_CREDENTIALS });
      strapi.log.info('[playground] stored the WeChat simulator demo credentials (AppID wx0123456789abcdef)');
    }
  },
};
