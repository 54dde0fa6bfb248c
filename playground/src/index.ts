import { seedArticles, SeedStrapi } from './seed-articles';

// The simulator's demo mini program (see simulator/wechat-simulator.ts, DEMO_APP).
const DEMO_APP = { appId: 'wx0123456789abcdef', name: 'Demo (simulator)', appSecret: '0123456789abcdef0123456789abcdef' };

/** The parts of Strapi this bootstrap uses. */
interface PlaygroundStrapi extends SeedStrapi {
  plugin(name: string): { service(name: string): unknown };
}

interface CredentialsService {
  fresh(): Promise<{ apps: Array<{ appId: string; type: string }> }>;
  addApp(app: { appId: string; name?: string; appSecret: string }): Promise<void>;
}

export default {
  register() {},
  async bootstrap({ strapi }: { strapi: PlaygroundStrapi }) {
    // What examples/miniprogram lists (GET /api/articles).
    await seedArticles(strapi);
    // So that a login works right after `npm run develop`. Set PLAYGROUND_SEED_CREDENTIALS=false
    // to start unconfigured and enter the credentials in the admin panel instead.
    if (process.env.PLAYGROUND_SEED_CREDENTIALS === 'false') return;
    // Through the plugin's own service, as the admin page saves an app.
    const credentials = strapi.plugin('strapi-wechat-miniprogram-auth').service('credentials') as CredentialsService;
    // The demo web apps of PLAYGROUND_WEB_LOGINS come from config: seeded unless a mini program is there.
    if (!(await credentials.fresh()).apps.some((app) => app.type === 'miniProgram')) {
      await credentials.addApp(DEMO_APP);
      strapi.log.info(`[playground] added the WeChat simulator's demo mini program (AppID ${DEMO_APP.appId})`);
    }
  },
};
