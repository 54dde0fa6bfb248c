import { httpError } from '../utils/http-error';
import { PLUGIN_ID } from '../utils/plugin-id';
import type { Credentials, CredentialSource, PluginConfig, StoredSettings, Strapi } from '../types';

const STORE_KEY = 'settings';
const CORE_STORE_UID = 'strapi::core-store';

interface CoreStoreMetadata {
  tableName: string;
  attributes: Record<'key' | 'value' | 'environment' | 'tag', { columnName?: string } | undefined>;
}

function parseSettings(raw: string): StoredSettings {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as StoredSettings) : {};
  } catch {
    return {};
  }
}

export interface CredentialStatus {
  /** Both an AppID and an AppSecret are in effect. */
  configured: boolean;
  appId: { value: string | null; source: CredentialSource };
  /** Only whether a secret is set, where from, and its last 4 characters. */
  appSecret: { isSet: boolean; last4: string | null; source: CredentialSource };
}

/**
 * Where the AppID/AppSecret come from: the plugin config (env) wins, then the plugin store that
 * the admin panel writes. The store is read on every call, so a change saved on one instance is
 * used by every instance sharing the database on its very next login.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const store = () => strapi.store!({ type: 'plugin', name: PLUGIN_ID });
  const config = <K extends keyof PluginConfig>(key: K) => strapi.plugin(PLUGIN_ID).config(key) as PluginConfig[K];

  /**
   * The row `store().set()` writes, read with one single-column SELECT rather than through
   * `store().get()`: every login reads it, and the query engine's findOne around the same SELECT
   * cost about as much again (bench/steps.js). Writes still go through the store.
   */
  async function readStored(): Promise<StoredSettings> {
    const { tableName, attributes } = strapi.db!.metadata.get(CORE_STORE_UID) as unknown as CoreStoreMetadata;
    const column = (name: keyof CoreStoreMetadata['attributes']) => attributes[name]?.columnName ?? name;
    const row = (await strapi
      .db!.getConnection(tableName)
      .select(column('value'))
      .where({ [column('key')]: `plugin_${PLUGIN_ID}_${STORE_KEY}`, [column('environment')]: null, [column('tag')]: null })
      .first()) as Record<string, unknown> | undefined;
    const raw = row?.[column('value')];
    return typeof raw === 'string' ? parseSettings(raw) : {};
  }

  async function resolve() {
    const fromConfig = { appId: config('appId') || undefined, appSecret: config('appSecret') || undefined };
    const stored = fromConfig.appId && fromConfig.appSecret ? {} : await readStored();
    const pick = (key: keyof StoredSettings): { value?: string; source: CredentialSource } =>
      fromConfig[key] ? { value: fromConfig[key], source: 'config' } : stored[key] ? { value: stored[key], source: 'store' } : { source: null };
    return { appId: pick('appId'), appSecret: pick('appSecret') };
  }

  return {
    /** The credentials to call WeChat with; a 503 naming what is missing when there are none. */
    async get(): Promise<Credentials> {
      const { appId, appSecret } = await resolve();
      if (!appId.value || !appSecret.value) {
        const missing = [!appId.value && 'AppID', !appSecret.value && 'AppSecret'].filter(Boolean) as string[];
        throw httpError(
          503,
          `WeChat login is not configured: ${missing.join(' and ')} missing. Set ${missing.length > 1 ? 'them' : 'it'} in the admin panel (PLUGINS → WeChat Mini Program Authenticator) or in config/plugins.`,
          { missing }
        );
      }
      return { appId: appId.value, appSecret: appSecret.value };
    },

    /** What is in effect, each part possibly missing; for the admin's credential check. */
    async current(): Promise<Partial<Credentials>> {
      const { appId, appSecret } = await resolve();
      return { appId: appId.value, appSecret: appSecret.value };
    },

    async status(): Promise<CredentialStatus> {
      const { appId, appSecret } = await resolve();
      return {
        configured: Boolean(appId.value && appSecret.value),
        appId: { value: appId.value ?? null, source: appId.source },
        appSecret: {
          isSet: Boolean(appSecret.value),
          last4: appSecret.value ? appSecret.value.slice(-4) : null,
          source: appSecret.source,
        },
      };
    },

    /** Stores what the admin saved; an empty/absent secret keeps the stored one. */
    async save(input: { appId?: string; appSecret?: string }): Promise<void> {
      const stored = await readStored();
      const next: StoredSettings = { ...stored };
      if (input.appId !== undefined) next.appId = input.appId;
      if (input.appSecret) next.appSecret = input.appSecret;
      await store().set({ key: STORE_KEY, value: next });
    },

    async stored(): Promise<StoredSettings> {
      return readStored();
    },
  };
};
