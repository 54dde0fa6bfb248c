import { useFetchClient } from '@strapi/helper-plugin';
import { PLUGIN_ID } from '../plugin-id';
// The server's own types (type-only: nothing of the server reaches the admin bundle).
import type { CheckFailureReason, CheckResult } from '../../../server/services/credential-check';

export type CredentialSource = 'config' | 'store' | null;

/** GET/PUT /settings: never the AppSecret itself, only whether one is set and its last 4 characters. */
export interface SettingsView {
  configured: boolean;
  appId: { value: string | null; source: CredentialSource };
  appSecret: { isSet: boolean; last4: string | null; source: CredentialSource };
  login: { path: string; url: string | null };
}

export type { CheckFailureReason, CheckResult };

export interface CredentialsInput {
  appId?: string;
  appSecret?: string;
}

const BASE = `/${PLUGIN_ID}/settings`;

export function useSettingsApi() {
  const { get, put, post } = useFetchClient();
  return {
    load: async () => (await get<{ data: SettingsView }>(BASE)).data.data,
    save: async (input: CredentialsInput) => (await put<{ data: SettingsView }>(BASE, input)).data.data,
    test: async (input: CredentialsInput) => (await post<{ data: CheckResult }>(`${BASE}/test`, input)).data.data,
  };
}

/** Field messages of a Strapi ValidationError (400), by field name. */
export function fieldErrorsOf(error: unknown): Record<string, string> | null {
  const body = (error as { response?: { status?: number; data?: { error?: { name?: string; details?: { errors?: { path?: string[]; message?: string }[] } } } } })
    .response;
  if (body?.status !== 400 || body.data?.error?.name !== 'ValidationError') return null;
  const fields: Record<string, string> = {};
  for (const item of body.data.error.details?.errors ?? []) {
    const field = item.path?.[0];
    if (field && item.message && !fields[field]) fields[field] = item.message;
  }
  return Object.keys(fields).length ? fields : null;
}

export const httpStatusOf = (error: unknown): number | undefined => (error as { response?: { status?: number } }).response?.status;
