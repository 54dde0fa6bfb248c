// The admin API as both admin pages see it, Strapi 4's (../pages) and Strapi 5's (../v5): types, paths, field errors.
// No framework import here: the fetch client comes from each major's hook (./settings.ts, ../v5/api.ts).
import { PLUGIN_ID } from '../plugin-id';
// The server's own types (a declaration file: nothing of the server reaches the admin bundle or its ESM build).
import type { CheckFailureReason, CheckResult } from '../../../server/services/credential-check-result';

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

/**
 * What the admin page needs of Strapi's fetch client: helper-plugin's `useFetchClient()` on Strapi 4 (axios) and
 * `@strapi/strapi/admin`'s on Strapi 5 (fetch) both answer `{ data }`, the JSON body.
 */
export interface FetchClient {
  get<T>(url: string): Promise<{ data: T }>;
  post<T>(url: string, body?: unknown): Promise<{ data: T }>;
  put<T>(url: string, body?: unknown): Promise<{ data: T }>;
  del<T>(url: string): Promise<{ data: T }>;
}

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

export interface FieldError {
  /** The server's words (English). */
  message: string;
  /** Set by the settings controller's own checks, e.g. 'duplicate', 'no_secret': the page has its own words for these. */
  reason?: string;
}

/** The settings controller's own ValidationErrors (`details: { appId, reason }`) name no field: the field each reason is about. */
const REASON_FIELDS: Record<string, string> = { duplicate: 'appId', no_secret: 'appSecret' };

/**
 * The field errors of a Strapi ValidationError (400), by field name: yup's (`details.errors[].path`)
 * and the controller's own (`details.reason`, see REASON_FIELDS). Null when the error is about no field.
 */
export function fieldErrorsOf(error: unknown): Record<string, FieldError> | null {
  type Details = { errors?: { path?: string[]; message?: string }[]; reason?: string };
  const body = (error as { response?: { data?: { error?: { name?: string; message?: string; details?: Details } } } } | null)?.response?.data?.error;
  if (httpStatusOf(error) !== 400 || body?.name !== 'ValidationError') return null;
  const fields: Record<string, FieldError> = {};
  for (const item of body.details?.errors ?? []) {
    const field = item.path?.[0];
    if (field && item.message && !fields[field]) fields[field] = { message: item.message };
  }
  const reason = body.details?.reason;
  if (reason && REASON_FIELDS[reason] && !fields[REASON_FIELDS[reason]]) fields[REASON_FIELDS[reason]] = { message: body.message ?? reason, reason };
  return Object.keys(fields).length ? fields : null;
}

/**
 * The HTTP status of a failed request: an axios error's `response.status` (Strapi 4), a FetchError's `status`
 * (Strapi 5, whose `response` is only `{ data }`).
 */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { response, status } = error as { response?: { status?: unknown }; status?: unknown };
  const found = response?.status ?? status;
  return typeof found === 'number' ? found : undefined;
}
