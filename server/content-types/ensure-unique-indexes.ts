import type { Strapi } from '../types';
import { knex, tableIndexes } from '../strapi';
import { ACCESS_TOKEN_TABLE, ACCESS_TOKEN_UNIQUE_INDEX } from './access-token';
import { IDENTITY_TABLE, IDENTITY_UNIQUE_INDEX } from './identity';
import { LOGIN_ACTIVITY_KEY_COLUMNS, LOGIN_ACTIVITY_TABLE, LOGIN_ACTIVITY_UNIQUE_INDEX } from './login-activity';
import { QR_LOGIN_TABLE, QR_LOGIN_UNIQUE_INDEX } from './qr-login';

interface UniqueIndex {
  table: string;
  columns: string[];
  name: string;
}

/** The unique indexes that settle simultaneous first logins, token writes and activity flushes (named as Strapi's schema sync names them). */
const UNIQUE_INDEXES: UniqueIndex[] = [
  { table: IDENTITY_TABLE, columns: ['app_id', 'openid'], name: IDENTITY_UNIQUE_INDEX },
  { table: 'up_users', columns: ['unionid'], name: 'up_users_unionid_unique' },
  // One access token row per app, whichever instance writes it first.
  { table: ACCESS_TOKEN_TABLE, columns: ['app_id'], name: ACCESS_TOKEN_UNIQUE_INDEX },
  // The activity flushes' upsert adds to the row of its key: without the index it would fail (ON CONFLICT needs it).
  { table: LOGIN_ACTIVITY_TABLE, columns: LOGIN_ACTIVITY_KEY_COLUMNS, name: LOGIN_ACTIVITY_UNIQUE_INDEX },
  // A ticket is one login, whichever instance serves it.
  { table: QR_LOGIN_TABLE, columns: ['ticket'], name: QR_LOGIN_UNIQUE_INDEX },
];

/** How many rows' ids a warning lists at most. */
const LISTED_ROWS = 50;

const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((column, i) => column === b[i]);

async function isPresent(strapi: Strapi, index: UniqueIndex): Promise<boolean> {
  return (await tableIndexes(strapi, index.table)).some(
    (i) => i.name === index.name || (sameColumns(i.columns, index.columns) && String(i.type).toLowerCase() === 'unique')
  );
}

/** The ids of the rows sharing a value of the index's columns (nulls never clash), grouped by value. */
async function clashingRows(strapi: Strapi, index: UniqueIndex): Promise<number[][]> {
  const db = knex(strapi);
  const clashing = db(index.table)
    .select(index.columns)
    .where((builder) => {
      for (const column of index.columns) void builder.whereNotNull(column);
    })
    .groupBy(index.columns)
    .havingRaw('count(*) > 1');
  const rows = await db<Record<string, unknown>>(index.table)
    .select(['id', ...index.columns])
    .whereIn(index.columns, clashing)
    .orderBy([...index.columns, 'id']);
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const key = JSON.stringify(index.columns.map((column) => row[column]));
    groups.set(key, [...(groups.get(key) ?? []), Number(row.id)]);
  }
  return [...groups.values()];
}

/**
 * Makes sure the unique indexes exist. Strapi's schema sync creates them, but it was seen to skip
 * an existing app's table (one whose column had been added by hand), and without them two
 * simultaneous first logins could create two users.
 *
 * Startup goes on when one cannot be created: another instance starting at the same moment created
 * it first (the index is there now), or rows an earlier version left share a value (a warning names
 * their ids, never the values; lookups take the oldest row, and the next start tries again).
 */
export async function ensureUniqueIndexes(strapi: Strapi): Promise<void> {
  for (const index of UNIQUE_INDEXES) {
    if (await isPresent(strapi, index)) continue;
    try {
      await knex(strapi).schema.alterTable(index.table, (table) => table.unique(index.columns, { indexName: index.name }));
      strapi.log.info(`[wechat-auth] created the unique index ${index.name}`);
    } catch (error) {
      if (await isPresent(strapi, index)) continue;
      const groups = await clashingRows(strapi, index);
      if (!groups.length) throw error;
      const listed = groups.slice(0, LISTED_ROWS).map((ids) => ids.map((id) => `#${id}`).join(', '));
      strapi.log.warn(
        `[wechat-auth] the unique index ${index.name} cannot be created: ${groups.length} value(s) of ${index.table} (${index.columns.join(', ')}) ` +
          `are each held by several rows: ${listed.join('; ')}${groups.length > LISTED_ROWS ? '; …' : ''}. Each is looked up as its oldest row (the first listed); ` +
          'resolve the others, and the next start creates the index'
      );
    }
  }
}
