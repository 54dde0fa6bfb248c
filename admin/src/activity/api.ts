// GET /activity as the admin panel reads it (server/activity/report.ts is the server's side of this contract).
import { PLUGIN_ID } from '../plugin-id';

export const PERIODS = [7, 30, 90] as const;
export type Period = (typeof PERIODS)[number];
export type Series = 'logins' | 'errors';

export interface ActivityReport {
  timezone: string;
  /** Oldest first, YYYY-MM-DD in `timezone`. */
  days: string[];
  /** Every app to choose from (whatever the filter). */
  apps: Array<{ appId: string; name: string | null }>;
  /** Every day × app, zeros included. */
  logins: Array<{ day: string; appId: string; new: number; returning: number }>;
  /** Only the (day, app, code) that happened; code: the errcode or the transport failure (timeout, network, http-status, bad-body). */
  errors: Array<{ day: string; appId: string; code: string; count: number }>;
}

/** What the panel needs of the admin's fetch client (helper-plugin's on Strapi 4, @strapi/strapi/admin's on Strapi 5). */
export interface ActivityFetch {
  getJson(url: string): Promise<unknown>;
  /** The body as text, and the response's Content-Disposition header when the client gives it. */
  getText(url: string): Promise<{ text: string; contentDisposition: string | null }>;
}

export function activityUrl(query: { days: Period; appId: string | null; series?: Series; format?: 'csv' }): string {
  const params = new URLSearchParams({ days: String(query.days) });
  if (query.appId) params.set('appId', query.appId);
  if (query.series) params.set('series', query.series);
  if (query.format) params.set('format', query.format);
  return `/${PLUGIN_ID}/activity?${params.toString()}`;
}

export async function loadActivity(fetch: ActivityFetch, days: Period, appId: string | null): Promise<ActivityReport> {
  const body = (await fetch.getJson(activityUrl({ days, appId }))) as { data: ActivityReport };
  return body.data;
}

/** The filename Content-Disposition gives (attachment; filename="…"), or `fallback`. */
export function attachmentName(contentDisposition: string | null, fallback: string): string {
  const match = /filename="([^"]+)"/.exec(contentDisposition ?? '');
  return match ? match[1] : fallback;
}
