/**
 * Login activity without Strapi: the in-memory counter (aggregation, drain and restore as a failed flush leaves
 * it), calendar days in Asia/Shanghai against UTC at the boundaries, the periods, the report the admin's charts
 * draw and its CSV, and the config's `activity` block.
 */
import configModule, { validator } from '../server/config';
import { ActivityCounter, addDays, dayFormatter, isTimeZone, lastDays, type ActivityCount } from '../server/activity/counter';
import { activityCsv, activityCsvFilename, activityReport } from '../server/activity/report';
import { errorSeries, loginSeries, MAX_ERROR_LINES, seriesTotal } from '../admin/src/activity/chart-data';

const A = 'wx0123456789abcdef';
const B = 'wxfedcba9876543210';

describe('dayFormatter: the calendar day of a moment in a time zone', () => {
  const shanghai = dayFormatter('Asia/Shanghai');
  const utc = dayFormatter('UTC');

  test.each([
    // Shanghai is UTC+8 all year: its day starts at 16:00 UTC the day before.
    ['2026-12-02T15:59:59.999Z', '2026-12-02', '2026-12-02'],
    ['2026-12-02T16:00:00.000Z', '2026-12-03', '2026-12-02'],
    ['2026-12-02T23:59:59.999Z', '2026-12-03', '2026-12-02'],
    ['2026-12-03T00:00:00.000Z', '2026-12-03', '2026-12-03'],
    ['2026-12-31T16:00:00.000Z', '2027-01-01', '2026-12-31'],
    ['2028-02-28T16:00:00.000Z', '2028-02-29', '2028-02-28'],
  ])('%s is %s in Asia/Shanghai and %s in UTC', (iso, inShanghai, inUtc) => {
    const ms = Date.parse(iso);
    expect({ shanghai: shanghai(ms), utc: utc(ms) }).toEqual({ shanghai: inShanghai, utc: inUtc });
  });

  test('kept per minute, yet right on each side of a boundary and when time goes back', () => {
    const day = dayFormatter('Asia/Shanghai');
    const midnight = Date.parse('2026-12-02T16:00:00.000Z');
    expect([day(midnight - 1), day(midnight), day(midnight + 59_999), day(midnight - 60_001)]).toEqual([
      '2026-12-02',
      '2026-12-03',
      '2026-12-03',
      '2026-12-02',
    ]);
  });

  test('half-hour and quarter-hour offsets (Asia/Kolkata +5:30, Asia/Kathmandu +5:45), and DST (Europe/Paris)', () => {
    expect(dayFormatter('Asia/Kolkata')(Date.parse('2026-12-02T18:29:59Z'))).toBe('2026-12-02');
    expect(dayFormatter('Asia/Kolkata')(Date.parse('2026-12-02T18:30:00Z'))).toBe('2026-12-03');
    expect(dayFormatter('Asia/Kathmandu')(Date.parse('2026-12-02T18:15:00Z'))).toBe('2026-12-03');
    expect(dayFormatter('Europe/Paris')(Date.parse('2026-07-01T21:59:59Z'))).toBe('2026-07-01');
    expect(dayFormatter('Europe/Paris')(Date.parse('2026-07-01T22:00:00Z'))).toBe('2026-07-02');
  });

  test('isTimeZone', () => {
    expect(['Asia/Shanghai', 'UTC', 'Europe/Paris'].map(isTimeZone)).toEqual([true, true, true]);
    expect(['Mars/Olympus', '', 8, null, '+08:00'].map(isTimeZone)).toEqual([false, false, false, false, false]);
  });
});

describe('periods', () => {
  test('addDays is calendar arithmetic across months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
  });

  test('lastDays: the N days ending today, oldest first', () => {
    expect(lastDays('2026-01-02', 7)).toEqual(['2025-12-27', '2025-12-28', '2025-12-29', '2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
    expect(lastDays('2026-12-03', 30)).toHaveLength(30);
    expect(lastDays('2026-12-03', 90)[0]).toBe('2026-09-05');
  });
});

describe('ActivityCounter', () => {
  let now = Date.parse('2026-12-02T15:59:00.000Z');
  const counter = () => new ActivityCounter(dayFormatter('Asia/Shanghai'), () => now);

  beforeEach(() => {
    now = Date.parse('2026-12-02T15:59:00.000Z');
  });

  test('counts per app, Shanghai day, kind and code; drain hands them out in key order and starts again empty', () => {
    const c = counter();
    c.add(A, 'returning');
    c.add(B, 'new');
    c.add(A, 'returning');
    c.add(A, 'new');
    c.add(A, 'error', '40029');
    c.add(A, 'error', '40029');
    c.add(A, 'error', 'timeout');
    now += 60_000; // 16:00 UTC: the next day in Shanghai
    c.add(A, 'returning');
    expect(c.size).toBe(6);
    expect(c.drain()).toEqual([
      { appId: A, day: '2026-12-02', kind: 'error', code: '40029', count: 2 },
      { appId: A, day: '2026-12-02', kind: 'error', code: 'timeout', count: 1 },
      { appId: A, day: '2026-12-02', kind: 'new', code: '', count: 1 },
      { appId: A, day: '2026-12-02', kind: 'returning', code: '', count: 2 },
      { appId: A, day: '2026-12-03', kind: 'returning', code: '', count: 1 },
      { appId: B, day: '2026-12-02', kind: 'new', code: '', count: 1 },
    ]);
    expect(c.size).toBe(0);
    expect(c.drain()).toEqual([]);
  });

  test('a failed flush puts its counts back: merged with what was counted meanwhile, nothing lost or doubled', () => {
    const c = counter();
    for (let i = 0; i < 3; i++) c.add(A, 'returning');
    const failed = c.drain();
    c.add(A, 'returning');
    c.add(B, 'error', '-1');
    c.restore(failed);
    expect(c.drain()).toEqual([
      { appId: A, day: '2026-12-02', kind: 'returning', code: '', count: 4 },
      { appId: B, day: '2026-12-02', kind: 'error', code: '-1', count: 1 },
    ]);
  });

  test('a hundred thousand logins are one number per key', () => {
    const c = counter();
    for (let i = 0; i < 100_000; i++) c.add(i % 2 ? A : B, 'returning');
    expect(c.drain().map((x) => x.count)).toEqual([50_000, 50_000]);
  });
});

describe('activityReport and its CSV', () => {
  const days = ['2026-12-01', '2026-12-02', '2026-12-03'];
  const counts: ActivityCount[] = [
    { appId: A, day: '2026-12-01', kind: 'new', code: '', count: 2 },
    { appId: A, day: '2026-12-03', kind: 'returning', code: '', count: 5 },
    { appId: A, day: '2026-12-03', kind: 'error', code: '40029', count: 3 },
    { appId: 'wx00000000000000aa', day: '2026-12-02', kind: 'error', code: 'timeout', count: 1 },
  ];
  const listed = [
    { appId: B, name: 'Shop' },
    { appId: A, name: null },
  ];

  test('every listed app and every app with counts, each day × app for logins (zeros included), errors as they happened', () => {
    const report = activityReport({ timezone: 'Asia/Shanghai', days, counts, listed });
    expect(report.apps).toEqual([
      { appId: 'wx00000000000000aa', name: null },
      { appId: A, name: null },
      { appId: B, name: 'Shop' },
    ]);
    expect(report.logins).toHaveLength(9);
    expect(report.logins!.filter((r) => r.new || r.returning)).toEqual([
      { day: '2026-12-01', appId: A, new: 2, returning: 0 },
      { day: '2026-12-03', appId: A, new: 0, returning: 5 },
    ]);
    expect(report.errors).toEqual([
      { day: '2026-12-02', appId: 'wx00000000000000aa', code: 'timeout', count: 1 },
      { day: '2026-12-03', appId: A, code: '40029', count: 3 },
    ]);
  });

  test('one app, one series', () => {
    const report = activityReport({ timezone: 'UTC', days, counts, listed, appId: A, series: 'errors' });
    // Every app stays there to choose from.
    expect(report.apps.map((app) => app.appId)).toEqual(['wx00000000000000aa', A, B]);
    expect(report.logins).toBeUndefined();
    expect(report.errors).toEqual([{ day: '2026-12-03', appId: A, code: '40029', count: 3 }]);
  });

  test('CSV: a header row, CRLF lines, a filename naming the series, the period and the app', () => {
    const report = activityReport({ timezone: 'UTC', days, counts, listed, appId: A });
    expect(activityCsv(report, 'logins')).toBe(
      'day,app_id,new,returning\r\n2026-12-01,' + A + ',2,0\r\n2026-12-02,' + A + ',0,0\r\n2026-12-03,' + A + ',0,5\r\n'
    );
    expect(activityCsv(report, 'errors')).toBe(`day,app_id,code,count\r\n2026-12-03,${A},40029,3\r\n`);
    expect(activityCsvFilename(report, 'logins', A)).toBe(`wechat-logins-2026-12-01-to-2026-12-03-${A}.csv`);
    expect(activityCsvFilename(report, 'errors')).toBe('wechat-errors-2026-12-01-to-2026-12-03.csv');
  });
});

describe("config: the 'activity' block", () => {
  const withActivity = (activity: unknown) => ({ ...(configModule.default() as unknown as Record<string, unknown>), activity });
  const message = (activity: unknown): string | null => {
    try {
      validator(withActivity(activity) as Parameters<typeof validator>[0]);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };

  test('defaults: on, a flush every 5 s, days in Asia/Shanghai', () => {
    expect(configModule.default().activity).toEqual({ enabled: true, flushIntervalMs: 5000, timezone: 'Asia/Shanghai' });
    expect(message(configModule.default().activity)).toBeNull();
    expect(message({ enabled: false, flushIntervalMs: 100, timezone: 'UTC' })).toBeNull();
  });

  test.each([
    [{ enabled: 'yes', flushIntervalMs: 5000, timezone: 'UTC' }, 'activity.enabled must be true or false'],
    [{ enabled: true, flushIntervalMs: 50, timezone: 'UTC' }, 'activity.flushIntervalMs must be an integer number of milliseconds between 100 and 600000'],
    [{ enabled: true, flushIntervalMs: 1.5, timezone: 'UTC' }, 'activity.flushIntervalMs must be an integer'],
    [{ enabled: true, flushIntervalMs: 5000, timezone: 'Mars/Olympus' }, "activity.timezone must be an IANA time zone such as 'Asia/Shanghai' or 'UTC'"],
    [{ enabled: true, flushIntervalMs: 5000, timezone: 'UTC', flushInterval: 1 }, "unknown key 'activity.flushInterval'"],
    ['on', 'activity must be an object'],
  ])('%j is refused: %s', (activity, expected) => {
    expect(message(activity)).toContain(expected);
  });
});

describe("the admin charts' data (admin/src/activity/chart-data.ts)", () => {
  const days = ['2026-12-01', '2026-12-02'];
  const base = { timezone: 'UTC', days, apps: [] };

  test('logins summed over apps per day; x is each day at 00:00 UTC in seconds', () => {
    const data = loginSeries(
      {
        ...base,
        logins: [
          { day: '2026-12-01', appId: A, new: 1, returning: 2 },
          { day: '2026-12-01', appId: B, new: 3, returning: 0 },
          { day: '2026-12-02', appId: A, new: 0, returning: 5 },
        ],
        errors: [],
      },
      { new: 'New', returning: 'Returning' }
    );
    expect(data.x).toEqual([Date.UTC(2026, 11, 1) / 1000, Date.UTC(2026, 11, 2) / 1000]);
    expect(data.series).toEqual([
      { label: 'New', key: 'new', values: [4, 0] },
      { label: 'Returning', key: 'returning', values: [2, 5] },
    ]);
    expect(data.series.map(seriesTotal)).toEqual([4, 7]);
  });

  test('errors: one line per code, most frequent first, beyond MAX_ERROR_LINES summed into one', () => {
    const errors = Array.from({ length: MAX_ERROR_LINES + 2 }, (_, i) => ({ day: '2026-12-02', appId: A, code: String(40000 + i), count: i + 1 }));
    const data = errorSeries({ ...base, logins: [], errors }, (code) => `errcode ${code}`, 'Other');
    expect(data.series).toHaveLength(MAX_ERROR_LINES + 1);
    expect(data.series[0]).toEqual({ label: 'errcode 40007', key: '40007', values: [0, 8] });
    expect(data.series[MAX_ERROR_LINES]).toEqual({ label: 'Other', key: 'other', values: [0, 1 + 2] });
    expect(errorSeries({ ...base, logins: [], errors: [] }, String, 'Other').series).toEqual([]);
  });
});
