// The settings API (the app list) as the settings page sees it, on both majors: types and paths. The fetch client
// comes from the host (AdminKit.useFetchClient).
import { PLUGIN_ID } from '../../plugin-id';
// The server's own types (a declaration file: nothing of the server reaches the admin bundle or its ESM build).
import type { CheckFailureReason, CheckResult } from '../../../../server/services/credential-check-result';
import type { FetchClient } from './http';

/** Where an app (or its AppSecret) comes from: config/plugins, or the admin page (plugin store). */
export type Source = 'config' | 'store';

/** What kind of WeChat app an AppID is (docs/web-logins.md). */
export type AppType = 'miniProgram' | 'officialAccount' | 'website' | 'mobileApp';
export const APP_TYPES: AppType[] = ['miniProgram', 'officialAccount', 'website', 'mobileApp'];

/** One mini program as GET /settings lists it: never the AppSecret itself, only whether one is set and its last 4 characters. */
export interface AppView {
  appId: string;
  name: string | null;
  type: AppType;
  /** 'config': AppID and name are read-only here and the app cannot be removed. */
  source: Source;
  isDefault: boolean;
  appSecret: { isSet: boolean; last4: string | null; source: Source | null; unreadable?: boolean };
  /** WeChat identities (user logins) recorded for this app. */
  identities: number;
  /** The app's server API access token as the shared store knows it (never the token itself). */
  token: TokenStatus;
}

/** docs/design/server-apis.md: `tokenStatus(appId)`. */
export interface TokenStatus {
  /** A token is stored and not expired. */
  cached: boolean;
  /** ISO dates, null when no token was ever stored. */
  expiresAt: string | null;
  refreshedAt: string | null;
  /** The errcode of the latest failure to get or use a token (cleared by the next scheduled refresh). */
  lastErrcode: number | null;
}

/** GET /settings, and the answer of every write (docs/design/apps-and-identities.md, "Admin API"). */
export interface SettingsView {
  /** At least one app has an AppID and an AppSecret. */
  configured: boolean;
  defaultAppId: string | null;
  /** 'config': `defaultAppId` is set in config/plugins and cannot be changed here; 'first': none chosen, the first app is used. */
  defaultAppIdSource: 'config' | 'store' | 'first' | null;
  linkByUnionid: boolean;
  apps: AppView[];
  login: { path: string; url: string | null };
}

export type { CheckFailureReason, CheckResult };

export interface NewAppInput {
  appId: string;
  name?: string;
  appSecret: string;
  type?: AppType;
}

export interface AppChanges {
  name?: string;
  appSecret?: string;
  type?: AppType;
}

export interface TestInput {
  appId: string;
  /** Absent: the secret in effect for that app. */
  appSecret?: string;
}

const BASE = `/${PLUGIN_ID}/settings`;
const appPath = (appId: string) => `${BASE}/apps/${encodeURIComponent(appId)}`;

/** The admin API (docs/design/apps-and-identities.md, "Admin API") over either major's fetch client. */
export function settingsApi({ get, put, post, del }: FetchClient) {
  return {
    load: async () => (await get<{ data: SettingsView }>(BASE)).data.data,
    addApp: async (input: NewAppInput) => (await post<{ data: SettingsView }>(`${BASE}/apps`, input)).data.data,
    updateApp: async (appId: string, changes: AppChanges) => (await put<{ data: SettingsView }>(appPath(appId), changes)).data.data,
    removeApp: async (appId: string) => (await del<{ data: SettingsView }>(appPath(appId))).data.data,
    setDefault: async (appId: string) => (await put<{ data: SettingsView }>(`${BASE}/default`, { appId })).data.data,
    test: async (input: TestInput) => (await post<{ data: CheckResult }>(`${BASE}/test`, input)).data.data,
  };
}

export type SettingsApi = ReturnType<typeof settingsApi>;
