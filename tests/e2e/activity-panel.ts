/**
 * The Activity panel of the plugin's page as a browser test reads it, the same on Strapi 4 and 5: the totals the
 * panel prints, the values uPlot's legend shows for a day under the cursor, the canvas, and a chart's CSV saved
 * through the browser.
 */
import fs from 'fs';
import type { Page } from 'playwright-core';

export type ActivityChart = 'logins' | 'errors';

/** GET /activity's JSON (admin JWT), for comparing what the page shows with what the server stored. */
export interface ActivityJson {
  days: string[];
  logins: Array<{ day: string; appId: string; new: number; returning: number }>;
  errors: Array<{ day: string; appId: string; code: string; count: number }>;
}

export async function fetchActivity(baseUrl: string, token: string, query: string): Promise<ActivityJson> {
  const res = await fetch(`${baseUrl}/strapi-wechat-miniprogram-auth/activity?${query}`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /activity answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: ActivityJson }).data;
}

export async function fetchActivityCsv(baseUrl: string, token: string, query: string): Promise<string> {
  const res = await fetch(`${baseUrl}/strapi-wechat-miniprogram-auth/activity?${query}&format=csv`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /activity (CSV) answered ${res.status}: ${await res.text()}`);
  return res.text();
}

/** The period's totals as the API has them: new, returning, and each error code. */
export function totalsOf(activity: ActivityJson): Record<string, number> {
  const totals: Record<string, number> = { new: 0, returning: 0 };
  for (const row of activity.logins) {
    totals.new += row.new;
    totals.returning += row.returning;
  }
  for (const row of activity.errors) totals[row.code] = (totals[row.code] ?? 0) + row.count;
  return totals;
}

/** The number a chart prints for one series ("New: 3" → 3), or null when it has no such series. */
export async function shownTotal(page: Page, chart: ActivityChart, key: string): Promise<number | null> {
  const total = page.getByTestId(`wechat-activity-${chart}-total-${key}`);
  if (!(await total.count())) return null;
  const text = (await total.textContent()) ?? '';
  return Number(text.slice(text.lastIndexOf(':') + 1).replace(/[^\d]/g, ''));
}

/** Waits until a chart is drawn: a canvas with a size. */
export async function waitForCanvas(page: Page, chart: ActivityChart): Promise<{ width: number; height: number }> {
  const canvas = page.getByTestId(`wechat-activity-${chart}-chart`).locator('canvas').first();
  await canvas.waitFor();
  const box = await canvas.boundingBox();
  return { width: box?.width ?? 0, height: box?.height ?? 0 };
}

/** The legend's value per series label with the cursor on the last day (today, at the right end of the plot). */
export async function legendForToday(page: Page, chart: ActivityChart): Promise<Record<string, string>> {
  const root = page.getByTestId(`wechat-activity-${chart}-chart`);
  const over = root.locator('.u-over');
  const box = await over.boundingBox();
  if (!box) throw new Error(`the ${chart} chart has no plotting area`);
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
  const rows = root.locator('.u-legend .u-series');
  const legend: Record<string, string> = {};
  for (const row of await rows.all()) {
    const label = ((await row.locator('.u-label').textContent()) ?? '').trim();
    legend[label] = ((await row.locator('.u-value').textContent()) ?? '').trim();
  }
  return legend;
}

/** Clicks a chart's "Download CSV" and returns the saved file's name and content. */
export async function downloadCsv(page: Page, chart: ActivityChart): Promise<{ filename: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`wechat-activity-${chart}-csv`).click()]);
  const file = await download.path();
  return { filename: download.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}
