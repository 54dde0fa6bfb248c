// From the activity report to what the charts draw: one x value per day and one y array per series.
import type { ActivityReport } from './api';

/** A day (YYYY-MM-DD) as uPlot's x value: seconds at 00:00 UTC (the charts label their axis in UTC, so a day is that day anywhere). */
export const dayToSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

export interface ChartSeries {
  /** What the legend and the totals call it. */
  label: string;
  /** A key for tests and colours: 'new', 'returning', or the error code. */
  key: string;
  values: number[];
}

export interface ChartData {
  x: number[];
  series: ChartSeries[];
}

/** New and returning logins per day, summed over the report's apps. */
export function loginSeries(report: ActivityReport, labels: { new: string; returning: string }): ChartData {
  const index = new Map(report.days.map((day, i) => [day, i]));
  const fresh = report.days.map(() => 0);
  const returning = report.days.map(() => 0);
  for (const row of report.logins) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    fresh[i] += row.new;
    returning[i] += row.returning;
  }
  return {
    x: report.days.map(dayToSeconds),
    series: [
      { label: labels.new, key: 'new', values: fresh },
      { label: labels.returning, key: 'returning', values: returning },
    ],
  };
}

/** Most error codes drawn as lines of their own; the rest are summed into one. */
export const MAX_ERROR_LINES = 6;

/** WeChat errors per day, one series per code (the most frequent first), summed over the report's apps. */
export function errorSeries(report: ActivityReport, label: (code: string) => string, otherLabel: string): ChartData {
  const index = new Map(report.days.map((day, i) => [day, i]));
  const byCode = new Map<string, number[]>();
  for (const row of report.errors) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    const values = byCode.get(row.code) ?? report.days.map(() => 0);
    values[i] += row.count;
    byCode.set(row.code, values);
  }
  const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const ranked = [...byCode.entries()].sort(([a, x], [b, y]) => total(y) - total(x) || (a < b ? -1 : 1));
  const shown = ranked.slice(0, MAX_ERROR_LINES).map(([code, values]) => ({ label: label(code), key: code, values }));
  const rest = ranked.slice(MAX_ERROR_LINES);
  if (rest.length) shown.push({ label: otherLabel, key: 'other', values: report.days.map((_, i) => rest.reduce((sum, [, values]) => sum + values[i], 0)) });
  return { x: report.days.map(dayToSeconds), series: shown };
}

export const seriesTotal = (series: ChartSeries) => series.values.reduce((a, b) => a + b, 0);
