/**
 * What GET /activity answers, from the stored counts of a period: the JSON the admin's charts draw, and the same
 * numbers as CSV (one chart per file). Strapi-free.
 */
import type { ActivityCount } from './counter';

export interface ActivityApp {
  appId: string;
  /** The name the app list gives it; null for an unnamed app, or one no longer in the list. */
  name: string | null;
}

/** One app's logins on one day. */
export interface LoginsRow {
  day: string;
  appId: string;
  new: number;
  returning: number;
}

/** One WeChat error code of one app on one day (only those that happened). */
export interface ErrorsRow {
  day: string;
  appId: string;
  /** The errcode (40029, -1, 45011…) or the transport failure (timeout, network, http-status, bad-body). */
  code: string;
  count: number;
}

export interface ActivityReport {
  timezone: string;
  /** The period, oldest first (YYYY-MM-DD in `timezone`). */
  days: string[];
  /** Every app there is to choose from: the listed apps, any other with counts in the period, and the one asked for. */
  apps: ActivityApp[];
  /** Every day × app, zeros included. */
  logins?: LoginsRow[];
  errors?: ErrorsRow[];
}

export interface ReportInput {
  timezone: string;
  days: string[];
  counts: readonly ActivityCount[];
  /** The app list (config and admin panel), for the names and the apps with no login yet. */
  listed: readonly ActivityApp[];
  appId?: string;
  series?: 'logins' | 'errors';
}

export function activityReport({ timezone, days, counts, listed, appId, series }: ReportInput): ActivityReport {
  const names = new Map(listed.map((app) => [app.appId.toLowerCase(), app.name]));
  const known = [...new Set([...listed.map((app) => app.appId.toLowerCase()), ...counts.map((c) => c.appId), ...(appId ? [appId] : [])])].sort();
  const apps = known.map((id) => ({ appId: id, name: names.get(id) ?? null }));
  // The apps the rows are about.
  const appIds = appId ? [appId] : known;
  const report: ActivityReport = { timezone, days, apps };

  if (series !== 'errors') {
    const logins = new Map<string, LoginsRow>();
    for (const day of days) for (const id of appIds) logins.set(`${day} ${id}`, { day, appId: id, new: 0, returning: 0 });
    for (const c of counts) {
      const row = logins.get(`${c.day} ${c.appId}`);
      if (row && (c.kind === 'new' || c.kind === 'returning')) row[c.kind] += c.count;
    }
    report.logins = [...logins.values()];
  }
  if (series !== 'logins') {
    report.errors = counts
      .filter((c) => c.kind === 'error' && appIds.includes(c.appId))
      .map(({ day, appId: id, code, count }) => ({ day, appId: id, code, count }))
      .sort((a, b) => compare(a.day, b.day) || compare(a.appId, b.appId) || compare(a.code, b.code));
  }
  return report;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const lines = (rows: Array<Array<string | number>>) => rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';

/** One chart's numbers as CSV, with a header row. */
export function activityCsv(report: ActivityReport, series: 'logins' | 'errors'): string {
  if (series === 'logins') return lines([['day', 'app_id', 'new', 'returning'], ...(report.logins ?? []).map((r) => [r.day, r.appId, r.new, r.returning])]);
  return lines([['day', 'app_id', 'code', 'count'], ...(report.errors ?? []).map((r) => [r.day, r.appId, r.code, r.count])]);
}

/** wechat-logins-2026-11-04-to-2026-12-03.csv, wechat-errors-…-wx0123456789abcdef.csv */
export function activityCsvFilename(report: ActivityReport, series: 'logins' | 'errors', appId?: string): string {
  const period = `${report.days[0]}-to-${report.days[report.days.length - 1]}`;
  return `wechat-${series}-${period}${appId ? `-${appId}` : ''}.csv`;
}
