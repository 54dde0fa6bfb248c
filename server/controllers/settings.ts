import type { Context } from 'koa';
import type { Strapi } from '../types';
import type { CredentialStatus } from '../services/credentials';
import { getService } from '../utils/get-service';
import { PLUGIN_ID } from '../utils/plugin-id';
import { SettingsContext, validateSettingsBody, validateTestBody } from './validation/settings';

const LOGIN_PATH = `/${PLUGIN_ID}/login`;

/**
 * The admin panel's settings API (admin JWT + RBAC, see routes). No response carries the
 * AppSecret: the page only learns whether one is set, where from, and its last 4 characters.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const credentials = () => getService(strapi, 'credentials');

  async function view() {
    const serverUrl = String(strapi.config.get('server.url', '') ?? '').replace(/\/+$/, '');
    return {
      ...(await credentials().status()),
      login: {
        path: LOGIN_PATH,
        // Only when server.url is an absolute URL; otherwise the page uses the URL it was loaded from.
        url: /^https?:\/\//i.test(serverUrl) ? `${serverUrl}${LOGIN_PATH}` : null,
      },
    };
  }

  const adminUserId = (ctx: Context) => (ctx.state as { user?: { id?: number } }).user?.id ?? 'unknown';

  return {
    async find(ctx: Context) {
      ctx.body = { data: await view() };
    },

    async update(ctx: Context) {
      const input = await validateSettingsBody(ctx.request.body, validationContext(await credentials().status()));
      await credentials().save(input);
      strapi.log.info(
        `[wechat-auth] settings saved by admin user #${adminUserId(ctx)}: AppID ${input.appId ?? '(kept)'}, AppSecret ${input.appSecret ? 'replaced' : 'kept'}`
      );
      ctx.body = { data: await view() };
    },

    /** Asks WeChat whether the entered credentials (or, for an empty field, the ones in effect) work. */
    async test(ctx: Context) {
      const input = await validateTestBody(ctx.request.body, validationContext(await credentials().status()));
      const current = await credentials().current();
      const result = await getService(strapi, 'credentialCheck').check({
        appId: (input.appId || current.appId) as string,
        appSecret: (input.appSecret || current.appSecret) as string,
      });
      ctx.body = { data: result };
    },
  };
};

function validationContext(status: CredentialStatus): SettingsContext {
  return {
    appIdFromConfig: status.appId.source === 'config',
    appSecretFromConfig: status.appSecret.source === 'config',
    hasAppId: Boolean(status.appId.value),
    hasAppSecret: status.appSecret.isSet,
  };
}
