import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import type { ResolvedApp, Strapi } from '../types';
import { pluginConfig, serverUrl } from '../strapi';
import { getService } from '../utils/get-service';
import { PLUGIN_ID } from '../utils/plugin-id';
import { validateAppChange, validateAppIdParam, validateDefault, validateNewApp, validateTest } from './validation/settings';

const { ValidationError } = errors;
const LOGIN_PATH = `/${PLUGIN_ID}/login`;

const readOnly = (appId: string, what: string) =>
  new ValidationError(`${what} of ${appId} is set in config/plugins and cannot be changed from the admin panel`, { appId, reason: 'read_only' });

/**
 * The admin panel's settings API (admin JWT + RBAC, see routes): the app list. No response
 * carries an AppSecret: the page only learns whether one is set, where from, and its last 4 characters.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const credentials = () => getService(strapi, 'credentials');

  async function view() {
    const [resolved, counts] = await Promise.all([credentials().fresh(), getService(strapi, 'identities').countByApp()]);
    // What the shared store holds about each app's access token (never the token).
    const tokens = await Promise.all(resolved.apps.map((app) => getService(strapi, 'wechat').tokenStatus(app.appId)));
    const url = serverUrl(strapi).replace(/\/+$/, '');
    return {
      configured: resolved.apps.some((app) => app.appSecret),
      defaultAppId: resolved.defaultAppId,
      defaultAppIdSource: resolved.defaultAppIdSource,
      linkByUnionid: pluginConfig(strapi, 'linkByUnionid'),
      apps: resolved.apps.map((app, i) => ({
        appId: app.appId,
        name: app.name,
        type: app.type,
        source: app.source,
        isDefault: app.appId === resolved.defaultAppId,
        appSecret: {
          isSet: Boolean(app.appSecret),
          last4: app.appSecret ? app.appSecret.slice(-4) : null,
          source: app.appSecretSource,
          // Stored, but no configured key opens it (the app keys or the encryption key changed): enter it again.
          unreadable: !app.appSecret && credentials().appSecretUnreadable(app.appId),
        },
        identities: counts[app.appId] ?? 0,
        token: tokens[i],
      })),
      login: {
        path: LOGIN_PATH,
        // Only when server.url is an absolute URL; otherwise the page uses the URL it was loaded from.
        url: /^https?:\/\//i.test(url) ? `${url}${LOGIN_PATH}` : null,
      },
    };
  }

  async function existingApp(ctx: Context): Promise<ResolvedApp> {
    const { appId } = await validateAppIdParam({ appId: (ctx.params as Record<string, string | undefined>).appId });
    const app = (await credentials().fresh()).apps.find((a) => a.appId.toLowerCase() === appId.toLowerCase());
    if (!app) throw new errors.NotFoundError(`${appId} is not in the app list`, { appId });
    return app;
  }

  const adminUser = (ctx: Context) => `admin user #${(ctx.state as { user?: { id?: number } }).user?.id ?? 'unknown'}`;
  const answer = async (ctx: Context) => {
    ctx.body = { data: await view() };
  };

  return {
    find: answer,

    async addApp(ctx: Context) {
      const input = await validateNewApp(ctx.request.body);
      const { apps } = await credentials().fresh();
      // A config app is not in the store: the store's own check (credentials.addApp) does not see it.
      if (apps.some((app) => app.source === 'config' && app.appId.toLowerCase() === input.appId.toLowerCase())) {
        throw new ValidationError(`${input.appId} is already in the app list`, { appId: input.appId, reason: 'duplicate' });
      }
      await credentials().addApp({ appId: input.appId, name: input.name || undefined, appSecret: input.appSecret, type: input.type });
      strapi.log.info(`[wechat-auth] app ${input.appId} added by ${adminUser(ctx)}`);
      await migrateLegacyAccounts();
      await answer(ctx);
    },

    async updateApp(ctx: Context) {
      const app = await existingApp(ctx);
      const input = await validateAppChange(ctx.request.body);
      if (app.source === 'config' && input.name !== undefined) throw readOnly(app.appId, 'The name');
      if (app.source === 'config' && input.type !== undefined && input.type !== app.type) throw readOnly(app.appId, 'The type');
      if (input.appSecret && app.appSecretSource === 'config') throw readOnly(app.appId, 'The AppSecret');
      const change = app.source === 'config' ? { ...input, type: undefined } : input;
      await credentials().updateApp(app.appId, change, { fromConfig: app.source === 'config' });
      strapi.log.info(
        `[wechat-auth] app ${app.appId} changed by ${adminUser(ctx)}: name ${input.name !== undefined ? 'changed' : 'kept'}, AppSecret ${input.appSecret ? 'replaced' : 'kept'}${change.type !== undefined && change.type !== app.type ? `, type set to ${change.type}` : ''}`
      );
      await answer(ctx);
    },

    async removeApp(ctx: Context) {
      const app = await existingApp(ctx);
      if (app.source === 'config') throw readOnly(app.appId, 'The app');
      await credentials().removeApp(app.appId);
      strapi.log.info(`[wechat-auth] app ${app.appId} removed by ${adminUser(ctx)} (its identities are kept)`);
      await answer(ctx);
    },

    async setDefault(ctx: Context) {
      const { appId } = await validateDefault(ctx.request.body);
      const resolved = await credentials().fresh();
      if (resolved.defaultAppIdSource === 'config') {
        throw new ValidationError('The default app is set in config/plugins (defaultAppId) and cannot be changed here', { reason: 'read_only' });
      }
      const app = resolved.apps.find((a) => a.appId.toLowerCase() === appId.toLowerCase());
      if (!app) throw new ValidationError(`${appId} is not in the app list`, { appId, reason: 'unknown_app' });
      await credentials().setDefault(app.appId);
      strapi.log.info(`[wechat-auth] default app set to ${app.appId} by ${adminUser(ctx)}`);
      await migrateLegacyAccounts();
      await answer(ctx);
    },

    /** Asks WeChat whether an AppID with the entered AppSecret (or, when none is entered, the one in effect) works. */
    async test(ctx: Context) {
      const input = await validateTest(ctx.request.body);
      const known = (await credentials().fresh()).apps.find((a) => a.appId.toLowerCase() === input.appId.toLowerCase());
      const appSecret = input.appSecret || known?.appSecret;
      if (!appSecret) throw new ValidationError('No AppSecret entered or stored for this AppID', { appId: input.appId, reason: 'no_secret' });
      ctx.body = { data: await getService(strapi, 'credentialCheck').check({ appId: known?.appId ?? input.appId, appSecret }) };
    },
  };

  /** The first app saved (or a new default) is where accounts of earlier versions get their identity. */
  async function migrateLegacyAccounts() {
    await getService(strapi, 'upgrade').migrateLegacyOpenids();
  }
};
