import { useMemo } from 'react';
import { useAPIErrorHandler, useFetchClient } from '@strapi/helper-plugin';
import { PLUGIN_ID } from '../plugin-id';
// The server's own types (type-only: nothing of the server reaches the admin bundle).
import type { CheckFailureReason, CheckResult } from '../../../server/services/credential-check';

/** Where an app (or its AppSecret) comes from: config/plugins, or the admin page (plugin store). */
export type Source = 'config' | 'store';

/** One mini program as GET /settings lists it: never the AppSecret itself, only whether one is set and its last 4 characters. */
export interface AppView {
  appId: string;
  name: string | null;
  /** 'config': AppID and name are read-only here and the app cannot be removed. */
  source: Source;
  isDefault: boolean;
  appSecret: { isSet: boolean; last4: string | null; source: Source | null };
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
}

export interface AppChanges {
  name?: string;
  appSecret?: string;
}

export interface TestInput {
  appId: string;
  /** Absent: the secret in effect for that app. */
  appSecret?: string;
}

const BASE = `/${PLUGIN_ID}/settings`;
const appPath = (appId: string) => `${BASE}/apps/${encodeURIComponent(appId)}`;

export function useSettingsApi() {
  // Memoised on the fetch client's functions (stable in helper-plugin), so effects can depend on it.
  const { get, put, post, del } = useFetchClient();
  return useMemo(
    () => ({
      load: async () => (await get<{ data: SettingsView }>(BASE)).data.data,
      addApp: async (input: NewAppInput) => (await post<{ data: SettingsView }>(`${BASE}/apps`, input)).data.data,
      updateApp: async (appId: string, changes: AppChanges) => (await put<{ data: SettingsView }>(appPath(appId), changes)).data.data,
      removeApp: async (appId: string) => (await del<{ data: SettingsView }>(appPath(appId))).data.data,
      setDefault: async (appId: string) => (await put<{ data: SettingsView }>(`${BASE}/default`, { appId })).data.data,
      test: async (input: TestInput) => (await post<{ data: CheckResult }>(`${BASE}/test`, input)).data.data,
    }),
    [get, put, post, del]
  );
}

type ApiFailure = Parameters<ReturnType<typeof useAPIErrorHandler>['formatAPIError']>[0];

const isApiFailure = (error: unknown): error is ApiFailure => typeof error === 'object' && error !== null && 'isAxiosError' in error;

/** The words for a failed request, as Strapi's own pages put them (helper-plugin's formatAPIError). */
export function useErrorMessage(): (error: unknown) => string {
  const { formatAPIError } = useAPIErrorHandler();
  return (error) => (isApiFailure(error) ? formatAPIError(error) : error instanceof Error ? error.message : String(error));
}

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
  const response = (error as { response?: { status?: number; data?: { error?: { name?: string; message?: string; details?: Details } } } }).response;
  const body = response?.data?.error;
  if (response?.status !== 400 || body?.name !== 'ValidationError') return null;
  const fields: Record<string, FieldError> = {};
  for (const item of body.details?.errors ?? []) {
    const field = item.path?.[0];
    if (field && item.message && !fields[field]) fields[field] = { message: item.message };
  }
  const reason = body.details?.reason;
  if (reason && REASON_FIELDS[reason] && !fields[REASON_FIELDS[reason]]) fields[REASON_FIELDS[reason]] = { message: body.message ?? reason, reason };
  return Object.keys(fields).length ? fields : null;
}

export const httpStatusOf = (error: unknown): number | undefined => (error as { response?: { status?: number } }).response?.status;
