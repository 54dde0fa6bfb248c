/**
 * Login activity counted in memory, per instance: how many new and returning logins each app had per day, and
 * which WeChat errors its logins met. Strapi-free. A login only increments a number in a Map; the service
 * (server/services/activity.ts) drains the counts every few seconds into one upsert that adds them to the
 * stored ones, so several instances add up.
 */

/** 'new': a login that created the user's identity for the app; 'returning': one that found it; 'error': a WeChat failure. */
export type ActivityKind = 'new' | 'returning' | 'error';

export const ACTIVITY_KINDS: readonly ActivityKind[] = ['new', 'returning', 'error'];

export interface ActivityKey {
  appId: string;
  /** The calendar day in the configured timezone, YYYY-MM-DD. */
  day: string;
  kind: ActivityKind;
  /** For 'error': the errcode, or the transport failure (timeout, network, http-status, bad-body); '' for logins. */
  code: string;
}

export interface ActivityCount extends ActivityKey {
  count: number;
}

const SEPARATOR = '\u0000';

const keyOf = (appId: string, day: string, kind: ActivityKind, code: string) => `${appId}${SEPARATOR}${day}${SEPARATOR}${kind}${SEPARATOR}${code}`;

function parseKey(key: string): ActivityKey {
  const [appId, day, kind, code] = key.split(SEPARATOR);
  return { appId, day, kind: kind as ActivityKind, code };
}

/** Whether `timezone` is an IANA time zone this Node knows ('Asia/Shanghai', 'UTC'). */
export function isTimeZone(timezone: unknown): timezone is string {
  if (typeof timezone !== 'string' || !timezone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

const MINUTE = 60_000;

/**
 * The day (YYYY-MM-DD) a moment falls on in `timezone`. Time zone offsets are whole minutes, so the answer is
 * kept for the minute: a login formats no date.
 */
export function dayFormatter(timezone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  let cachedMinute = NaN;
  let cachedDay = '';
  return (ms) => {
    const minute = Math.floor(ms / MINUTE);
    if (minute !== cachedMinute) {
      const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
      cachedDay = `${parts.year}-${parts.month}-${parts.day}`;
      cachedMinute = minute;
    }
    return cachedDay;
  };
}

/** `day` moved by `offset` calendar days (calendar arithmetic: no time zone, no DST). */
export function addDays(day: string, offset: number): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date + offset)).toISOString().slice(0, 10);
}

/** The `count` days ending with `today`, oldest first. */
export function lastDays(today: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(today, i - count + 1));
}

/** The counts of one instance since its last flush, keyed (app, day, kind, code). */
export class ActivityCounter {
  private counts = new Map<string, number>();

  constructor(
    private readonly dayOf: (ms: number) => string,
    private readonly now: () => number = Date.now
  ) {}

  /** One more of `kind` for `appId` today (the login path: a Map increment, nothing else). */
  add(appId: string, kind: ActivityKind, code = ''): void {
    const key = keyOf(appId, this.dayOf(this.now()), kind, code);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** How many distinct (app, day, kind, code) are waiting. */
  get size(): number {
    return this.counts.size;
  }

  /** Everything counted since the last drain, in key order (one lock order for every instance's upsert); the counter starts again empty. */
  drain(): ActivityCount[] {
    const drained = this.counts;
    this.counts = new Map();
    return [...drained.keys()].sort().map((key) => ({ ...parseKey(key), count: drained.get(key)! }));
  }

  /** Puts back counts a failed flush could not store, added to what was counted meanwhile. */
  restore(counts: readonly ActivityCount[]): void {
    for (const { appId, day, kind, code, count } of counts) {
      const key = keyOf(appId, day, kind, code);
      this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    }
  }
}
