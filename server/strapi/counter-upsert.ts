/**
 * The activity flush's one statement: every (app, day, kind, code) count of a flush added to its row, the row
 * created when it is the first, as a single INSERT … ON CONFLICT … DO UPDATE (PostgreSQL, SQLite) or INSERT … ON
 * DUPLICATE KEY UPDATE (MySQL/MariaDB). The database adds (count = count + the new one), so the flushes of several
 * instances add up whatever their order, and no instance reads before it writes.
 */
import type { Knex } from 'knex';
import type { ActivityCount } from '../activity/counter';
import { databaseOperation } from './database-error';
import type { ModelMetadata, Row } from './types';

/** Rows per statement: far above one flush's (apps × kinds × codes), and under every driver's bound-parameter limit. */
const ROWS_PER_STATEMENT = 500;

const COUNTED = ['appId', 'day', 'kind', 'code', 'count', 'createdAt', 'updatedAt'];

export function createCounterUpsert(knex: () => Knex, model: ModelMetadata) {
  for (const name of COUNTED) {
    if (!model.attributes[name]?.columnName) throw new Error(`[wechat-auth] ${model.uid}.${name} has no column in the metadata`);
  }
  const col = (name: string) => model.attributes[name].columnName!;
  const keyColumns = ['appId', 'day', 'kind', 'code'].map(col);

  /** The model's attribute defaults, as the query engine's create applies them (Strapi 5: a new `documentId` per row). */
  function defaultValues(): Row {
    const values: Row = {};
    for (const attribute of Object.values(model.attributes)) {
      if (attribute.default === undefined || !attribute.columnName || attribute.type === 'relation') continue;
      values[attribute.columnName] = typeof attribute.default === 'function' ? (attribute.default as () => unknown)() : attribute.default;
    }
    return values;
  }

  /** `count = <stored> + <this flush's>` in the dialect's words. */
  function addedCount(db: Knex): Knex.Raw {
    const count = col('count');
    const dialect = (db.client as { dialect?: string }).dialect;
    if (dialect === 'mysql' || dialect === 'mysql2') return db.raw('?? + VALUES(??)', [count, count]);
    return db.raw('?? + excluded.??', [`${model.tableName}.${count}`, count]);
  }

  return async function upsertCounts(counts: readonly ActivityCount[]): Promise<void> {
    const db = knex();
    const now = new Date();
    for (let start = 0; start < counts.length; start += ROWS_PER_STATEMENT) {
      const rows = counts.slice(start, start + ROWS_PER_STATEMENT).map((c) => ({
        ...defaultValues(),
        [col('appId')]: c.appId,
        [col('day')]: c.day,
        [col('kind')]: c.kind,
        [col('code')]: c.code,
        [col('count')]: c.count,
        [col('createdAt')]: now,
        [col('updatedAt')]: now,
      }));
      await databaseOperation('activity.upsertCounts', () =>
        db(model.tableName)
          .insert(rows)
          .onConflict(keyColumns)
          .merge({ [col('count')]: addedCount(db), [col('updatedAt')]: now })
      );
    }
  };
}
