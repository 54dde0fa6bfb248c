import { errors } from '@strapi/utils';
import { httpError } from '../utils/http-error';
import { pluginConfig, pluginStore } from '../strapi';
import type { Credentials, ResolvedApp, ResolvedApps, StoredApp, StoredSettings, Strapi } from '../types';
import { findApp, resolveApps } from './app-resolution';
import { normalizeSettings } from './settings-store';
import { getService } from '../utils/get-service';

const { ValidationError } = errors;
const STORE_KEY = 'settings';

/**
 * The mini programs this Strapi serves and their AppSecrets: config/plugins (env) first, then
 * what the admin panel saved in the plugin store. The merged list is kept for
 * `credentialsCacheTtl` ms per instance (every login needs it): a save on this instance is seen at
 * once, a save on another instance sharing the database within that time.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const store = pluginStore(strapi);
  let cache: { resolved: ResolvedApps; until: number } | null = null;

  const secrets = () => getService(strapi, 'secrets');
  const unreadableReported = new Set<string>();

  /** A stored AppSecret, opened; one that no configured key opens counts as missing (reported once per app). */
  function openSecret(app: StoredApp): StoredApp {
    if (!app.appSecret) return app;
    const appSecret = secrets().openOrNull(app.appSecret, (error) => {
      if (unreadableReported.has(app.appId)) return;
      unreadableReported.add(app.appId);
      strapi.log.error(
        `[wechat-auth] the AppSecret stored for ${app.appId} cannot be decrypted: ${error.message}. Configure that key, or save the AppSecret again`
      );
    });
    if (appSecret) return { ...app, appSecret };
    const { appSecret: _unreadable, ...rest } = app;
    return rest;
  }

  /** The stored settings with the AppSecrets in plaintext (they are sealed in the store). */
  const readStored = async (): Promise<StoredSettings> => {
    const settings = normalizeSettings(await store.get(STORE_KEY));
    return { ...settings, apps: settings.apps.map(openSecret) };
  };

  async function resolved(): Promise<ResolvedApps> {
    const now = Date.now();
    if (cache && cache.until > now) return cache.resolved;
    const config = {
      apps: pluginConfig(strapi, 'apps'),
      appId: pluginConfig(strapi, 'appId'),
      appSecret: pluginConfig(strapi, 'appSecret'),
      defaultAppId: pluginConfig(strapi, 'defaultAppId'),
    };
    const value = resolveApps(config, await readStored());
    const ttl = pluginConfig(strapi, 'credentialsCacheTtl');
    cache = ttl > 0 ? { resolved: value, until: now + ttl } : null;
    return value;
  }

  async function writeStored(change: (settings: StoredSettings) => StoredSettings): Promise<void> {
    const raw = normalizeSettings(await store.get(STORE_KEY));
    const next = change({ ...raw, apps: raw.apps.map(openSecret) });
    const sealedBefore = new Map(raw.apps.map((app) => [app.appId.toLowerCase(), app.appSecret]));
    // No change removes a secret from an app that stays: one absent now was unreadable, and is kept as it was stored.
    const apps = next.apps.map((app) => {
      const appSecret = app.appSecret ? secrets().seal(app.appSecret) : sealedBefore.get(app.appId.toLowerCase());
      return appSecret ? { ...app, appSecret } : app;
    });
    await store.set(STORE_KEY, { ...next, apps });
    cache = null;
  }

  function notConfigured(missing: string[], appId?: string): Error {
    const what = missing.join(' and ');
    return httpError(
      503,
      `WeChat login is not configured${appId ? ` for ${appId}` : ''}: ${what} missing. Set ${missing.length > 1 ? 'them' : 'it'} in the admin panel (PLUGINS → WeChat Mini Program Authenticator) or in config/plugins.`,
      { missing, ...(appId ? { appId } : {}) }
    );
  }

  return {
    /**
     * The credentials of `appId` (the default app when absent): a 400 naming an AppID that is not
     * configured, a 503 naming what is missing when the app has no secret or there is no app at all.
     */
    async get(appId?: string): Promise<Credentials> {
      const current = await resolved();
      let app: ResolvedApp | undefined;
      if (appId) {
        app = findApp(current, appId);
        if (!app) {
          throw new ValidationError(`appId ${appId} is not one of the mini programs configured on this server`, {
            appId,
            reason: 'unknown_app',
          });
        }
      } else {
        if (!current.defaultAppId) throw notConfigured(['AppID', 'AppSecret']);
        app = findApp(current, current.defaultAppId);
        if (!app) throw notConfigured(['AppID'], current.defaultAppId);
      }
      if (!app.appSecret) throw notConfigured(['AppSecret'], app.appId);
      return { appId: app.appId, appSecret: app.appSecret };
    },

    /** The merged app list with where each part comes from (secrets included: never send this out). */
    async apps(): Promise<ResolvedApps> {
      return resolved();
    },

    /** The merged list read now, not from this instance's cache (admin views, startup). */
    async fresh(): Promise<ResolvedApps> {
      cache = null;
      return resolved();
    },

    stored: readStored,

    async addApp(app: StoredApp): Promise<void> {
      await writeStored((settings) => ({ ...settings, apps: [...settings.apps, app] }));
    },

    /** Renames a stored app and/or replaces its secret; a config app gets a stored entry for its secret. */
    async updateApp(appId: string, change: { name?: string; appSecret?: string }): Promise<void> {
      await writeStored((settings) => {
        const apps = [...settings.apps];
        const index = apps.findIndex((app) => app.appId.toLowerCase() === appId.toLowerCase());
        const current = index >= 0 ? apps[index] : { appId };
        const next: StoredApp = { ...current };
        if (change.name !== undefined) {
          if (change.name) next.name = change.name;
          else delete next.name;
        }
        if (change.appSecret) next.appSecret = change.appSecret;
        if (index >= 0) apps[index] = next;
        // A config app gets a stored entry only for something to store: an entry holding just the
        // AppID would turn into a secretless store app once config stops listing it.
        else if (next.appSecret || next.name) apps.push(next);
        return { ...settings, apps };
      });
    },

    async removeApp(appId: string): Promise<void> {
      await writeStored((settings) => {
        const apps = settings.apps.filter((app) => app.appId.toLowerCase() !== appId.toLowerCase());
        const next: StoredSettings = { ...settings, apps };
        if (next.defaultAppId?.toLowerCase() === appId.toLowerCase()) delete next.defaultAppId;
        return next;
      });
    },

    async setDefault(appId: string): Promise<void> {
      await writeStored((settings) => ({ ...settings, defaultAppId: appId }));
    },

    /** Whether a stored AppSecret is in plaintext while a key is configured, or sealed under a previous key. */
    async needsReseal(): Promise<boolean> {
      const { apps } = normalizeSettings(await store.get(STORE_KEY));
      return apps.some((app) => app.appSecret !== undefined && secrets().box().needsReseal(app.appSecret));
    },

    /** Writes the settings as they are now read (the current shape, secrets sealed with the current key), plus `patch`. */
    async rewrite(patch: Partial<StoredSettings> = {}): Promise<void> {
      await writeStored((settings) => ({ ...settings, ...patch }));
    },
  };
};
