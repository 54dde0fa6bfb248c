import { knex, modelMetadata, pluginConfig, query } from '../strapi';
import { createCounterUpsert } from '../strapi/counter-upsert';
import { LOGIN_ACTIVITY_UID } from '../content-types/login-activity';
import { ActivityCounter, dayFormatter, lastDays, type ActivityCount, type ActivityKind } from '../activity/counter';
import type { Strapi } from '../types';

/** The stored counts of a period, as the admin's activity route reads them. */
export interface StoredActivity {
  timezone: string;
  /** The days of the period, oldest first (YYYY-MM-DD in `timezone`). */
  days: string[];
  /** Every stored (app, day, kind, code) of the period with a count, in key order. */
  counts: ActivityCount[];
}

interface ActivityRow {
  appId: string;
  day: string;
  kind: string;
  code: string;
  count: number | string;
}

/**
 * Login activity (server/activity/counter.ts): the login counts in this instance's memory, added to the database
 * every `activity.flushIntervalMs` by one upsert, on the plugin's destroy, and before a read (so a read on this
 * instance sees its own logins). A flush that fails keeps its counts for the next one. With `activity.enabled`
 * false nothing is counted.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  let counter: ActivityCounter | null = null;
  let timer: NodeJS.Timeout | null = null;
  let upsert: ReturnType<typeof createCounterUpsert> | null = null;
  /** The flush under way: flushes run one after the other. */
  let flushing: Promise<void> = Promise.resolve();
  let today: ((ms: number) => string) | null = null;

  const config = () => pluginConfig(strapi, 'activity');
  const dayOf = () => (today ??= dayFormatter(config().timezone));

  async function store(): Promise<void> {
    if (!counter || counter.size === 0) return;
    const counts = counter.drain();
    try {
      upsert ??= createCounterUpsert(() => knex(strapi), modelMetadata(strapi, LOGIN_ACTIVITY_UID));
      await upsert(counts);
    } catch (error) {
      counter.restore(counts);
      // A DatabaseOperationError: the operation and the driver's code, no value.
      strapi.log.warn(`[wechat-auth] login activity not stored yet, kept for the next flush: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  function flush(): Promise<void> {
    flushing = flushing.then(store);
    return flushing;
  }

  return {
    /** Bootstrap: counts from now on, and flushes on a timer that never keeps the process alive. */
    start(): void {
      if (!config().enabled || counter) return;
      counter = new ActivityCounter(dayOf());
      timer = setInterval(() => void flush(), config().flushIntervalMs);
      timer.unref();
    },

    /** A successful login: `isNew` when it created the user's identity for this app. */
    recordLogin(appId: string, isNew: boolean): void {
      counter?.add(appId, isNew ? 'new' : 'returning');
    },

    /** A WeChat failure of a login: its errcode, or the transport failure. */
    recordWeChatError(appId: string, code: string): void {
      counter?.add(appId, 'error', code);
    },

    flush,

    /** Destroy: the timer stopped and the last counts stored. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await flush();
      counter = null;
    },

    /** The stored counts of the last `days` days (today included), all apps or one; this instance's counts flushed first. */
    async read({ days, appId }: { days: number; appId?: string }): Promise<StoredActivity> {
      await flush();
      const period = lastDays(dayOf()(Date.now()), days);
      const where: Record<string, unknown> = { day: { $gte: period[0], $lte: period[period.length - 1] } };
      if (appId) where.appId = appId;
      const rows = await query<ActivityRow>(strapi, LOGIN_ACTIVITY_UID).findMany({ where, select: ['appId', 'day', 'kind', 'code', 'count'] });
      // Summed per key, in key order, as the counter sums and orders its own: a database that could not get the
      // unique index may hold a key twice (ensure-unique-indexes.ts).
      const sums = new ActivityCounter(dayOf());
      sums.restore(rows.map((row) => ({ appId: row.appId, day: row.day, kind: row.kind as ActivityKind, code: row.code, count: Number(row.count) })));
      const counts = sums.drain();
      return { timezone: config().timezone, days: period, counts };
    },
  };
};
