import { errors } from '@strapi/utils';
import { httpError } from '../utils/http-error';
import { pluginConfig, pluginStore, StoreConflictError } from '../strapi';
import type { AppType, Credentials, ResolvedApp, ResolvedApps, StoredApp, StoredSettings, Strapi } from '../types';
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
  /** The apps whose stored AppSecret no configured key opened at the last read (lowercase AppIDs). */
  let unreadable = new Set<string>();

  /** A stored AppSecret, opened; one that no configured key opens counts as missing (reported once per app). */
  function openSecret(app: StoredApp, found?: Set<string>): StoredApp {
    if (!app.appSecret) return app;
    const appSecret = secrets().openOrNull(app.appSecret, (error) => {
      found?.add(app.appId.toLowerCase());
      if (unreadableReported.has(app.appId)) return;
      unreadableReported.add(app.appId);
      strapi.log.error(
        `[wechat-auth] the AppSecret stored for ${app.appId} cannot be decrypted: ${error.message}. It counts as missing: save it again in the admin panel (or configure that key again)`
      );
    });
    if (appSecret) return { ...app, appSecret };
    const { appSecret: _unreadable, ...rest } = app;
    return rest;
  }

  /** The stored settings with the AppSecrets in plaintext (they are sealed in the store). */
  const readStored = async (): Promise<StoredSettings> => {
    const settings = normalizeSettings(await store.get(STORE_KEY));
    const found = new Set<string>();
    const apps = settings.apps.map((app) => openSecret(app, found));
    unreadable = found;
    return { ...settings, apps };
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

  /**
   * A change of the stored settings, made as a compare-and-set on the store row: when another
   * instance (or request) wrote in between, `change` runs again on what it wrote, so concurrent
   * saves of different apps all stay. `change` sees the AppSecrets in plaintext.
   */
  async function writeStored(change: (settings: StoredSettings) => StoredSettings): Promise<void> {
    try {
      await store.update<Record<string, unknown>>(STORE_KEY, (value) => {
        const raw = normalizeSettings(value);
        const next = change({ ...raw, apps: raw.apps.map((app) => openSecret(app)) });
        const sealedBefore = new Map(raw.apps.map((app) => [app.appId.toLowerCase(), app.appSecret]));
        // No change removes a secret from an app that stays: one absent now was unreadable, and is kept as it was stored.
        const apps = next.apps.map((app) => {
          const appSecret = app.appSecret ? secrets().seal(app.appSecret) : sealedBefore.get(app.appId.toLowerCase());
          return appSecret ? { ...app, appSecret } : app;
        });
        // Every write changes the row's text, so the compare-and-set sees it even where text compares without case (MySQL).
        const revision = (typeof value?.revision === 'number' ? value.revision : 0) + 1;
        return { ...next, apps, revision };
      });
    } catch (error) {
      if (error instanceof StoreConflictError)
        throw httpError(503, 'The settings kept changing under this save (other saves at the same moment): try again', { reason: 'conflict' });
      throw error;
    } finally {
      cache = null;
    }
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
      return { appId: app.appId, appSecret: app.appSecret, type: app.type, scope: app.scope, redirectAllowList: app.redirectAllowList };
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

    /** Adds an app to the stored list; a 400 `duplicate` when it is there already (also when another save just added it). */
    async addApp(app: StoredApp): Promise<void> {
      await writeStored((settings) => {
        if (settings.apps.some((saved) => saved.appId.toLowerCase() === app.appId.toLowerCase())) {
          throw new ValidationError(`${app.appId} is already in the app list`, { appId: app.appId, reason: 'duplicate' });
        }
        // miniProgram, the default, is not written (as settings saved before app types).
        const { type, ...rest } = app;
        return { ...settings, apps: [...settings.apps, type && type !== 'miniProgram' ? app : rest] };
      });
    },

    /**
     * Renames a stored app and/or replaces its secret; a config app gets a stored entry for its secret.
     * A stored app that is gone (removed by another save meanwhile) is a 404, not brought back.
     */
    async updateApp(appId: string, change: { name?: string; appSecret?: string; type?: AppType }, { fromConfig = false } = {}): Promise<void> {
      await writeStored((settings) => {
        const apps = [...settings.apps];
        const index = apps.findIndex((app) => app.appId.toLowerCase() === appId.toLowerCase());
        if (index < 0 && !fromConfig) throw new errors.NotFoundError(`${appId} is not in the app list`, { appId });
        const current = index >= 0 ? apps[index] : { appId };
        const next: StoredApp = { ...current };
        if (change.name !== undefined) {
          if (change.name) next.name = change.name;
          else delete next.name;
        }
        if (change.appSecret) next.appSecret = change.appSecret;
        if (change.type !== undefined) {
          if (change.type === 'miniProgram') delete next.type;
          else next.type = change.type;
        }
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

    /** Whether a stored AppSecret that can be read is in plaintext while there is a key, or sealed under another key. */
    async needsReseal(): Promise<boolean> {
      const { apps } = normalizeSettings(await store.get(STORE_KEY));
      return apps.some((app) => app.appSecret !== undefined && secrets().box().needsReseal(app.appSecret) && openSecret(app).appSecret !== undefined);
    },

    /** Whether the AppSecret stored for `appId` could not be opened at the last read: it must be entered again. */
    appSecretUnreadable: (appId: string): boolean => unreadable.has(appId.toLowerCase()),

    /** Writes the settings as they are now read (the current shape, secrets sealed with the current key), plus `patch`. */
    async rewrite(patch: Partial<StoredSettings> = {}): Promise<void> {
      await writeStored((settings) => ({ ...settings, ...patch }));
    },
  };
};
