import { APP_TYPES, type StoredApp, type StoredSettings } from '../types';

/**
 * The plugin store's `settings` value in its current shape, whatever version wrote it:
 * 1.0 stored `{ appId, appSecret }` (one app), this version `{ apps: [...], defaultAppId }`.
 * Anything unreadable counts as no settings.
 */
export function normalizeSettings(raw: unknown): StoredSettings {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { apps: [] };
  const value = raw as Record<string, unknown>;
  const apps: StoredApp[] = Array.isArray(value.apps)
    ? value.apps.filter(isStoredApp).map(({ appId, name, appSecret, type }) => clean({ appId, name, appSecret, type }))
    : typeof value.appId === 'string' && value.appId
      ? [clean({ appId: value.appId, appSecret: typeof value.appSecret === 'string' ? value.appSecret : undefined })]
      : [];
  const settings: StoredSettings = { apps };
  if (typeof value.defaultAppId === 'string' && value.defaultAppId) settings.defaultAppId = value.defaultAppId;
  if (value.legacyCredentialsImported === true) settings.legacyCredentialsImported = true;
  if (typeof value.legacyAppId === 'string' && value.legacyAppId) settings.legacyAppId = value.legacyAppId.toLowerCase();
  return settings;
}

/** Whether the stored value is in an older shape and should be written back in the current one. */
export function isLegacyShape(raw: unknown): boolean {
  return Boolean(raw && typeof raw === 'object' && !Array.isArray(raw) && !('apps' in raw) && 'appId' in raw);
}

function isStoredApp(value: unknown): value is StoredApp {
  return Boolean(value && typeof value === 'object' && typeof (value as StoredApp).appId === 'string' && (value as StoredApp).appId);
}

function clean(app: StoredApp): StoredApp {
  // AppIDs are lowercase; one spelling keeps identities and counts matching.
  const out: StoredApp = { appId: app.appId.toLowerCase() };
  if (typeof app.name === 'string' && app.name) out.name = app.name;
  if (typeof app.appSecret === 'string' && app.appSecret) out.appSecret = app.appSecret;
  // miniProgram, the default, is not written: settings saved before app types stay as they were.
  if (app.type && app.type !== 'miniProgram' && APP_TYPES.includes(app.type)) out.type = app.type;
  return out;
}
