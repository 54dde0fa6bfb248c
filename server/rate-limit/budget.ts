/** How many requests one key may make in one window. */
export interface Budget {
  windowMs: number;
  max: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, sec: 1000, min: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A window as the config writes it: milliseconds, or `{ min: 1 }`-style units (summed, as koa2-ratelimit did). */
export function intervalMs(interval: number | Record<string, number>): number {
  if (typeof interval === 'number') return interval;
  return Object.entries(interval).reduce((sum, [unit, amount]) => sum + (UNIT_MS[unit] ?? 0) * amount, 0);
}

export const INTERVAL_UNITS = Object.keys(UNIT_MS);
