import type { Strapi } from '../types';
import { knex, tableIndexes } from '../strapi';
import { ACCESS_TOKEN_TABLE, ACCESS_TOKEN_UNIQUE_INDEX } from './access-token';
import { IDENTITY_TABLE, IDENTITY_UNIQUE_INDEX } from './identity';

interface UniqueIndex {
  table: string;
  columns: string[];
  name: string;
}

/** The unique indexes that settle simultaneous first logins and token writes (named as Strapi's schema sync names them). */
const UNIQUE_INDEXES: UniqueIndex[] = [
  { table: IDENTITY_TABLE, columns: ['app_id', 'openid'], name: IDENTITY_UNIQUE_INDEX },
  { table: 'up_users', columns: ['unionid'], name: 'up_users_unionid_unique' },
  { table: 'up_users', columns: ['openid'], name: 'up_users_openid_unique' },
  // One access token row per app, whichever instance writes it first.
  { table: ACCESS_TOKEN_TABLE, columns: ['app_id'], name: ACCESS_TOKEN_UNIQUE_INDEX },
];

const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((column, i) => column === b[i]);

/**
 * Makes sure the unique indexes exist. Strapi's schema sync creates them, but it was seen to skip
 * an existing app's table (one whose openid column had been added by hand), and without them two
 * simultaneous first logins could create two users.
 */
export async function ensureUniqueIndexes(strapi: Strapi): Promise<void> {
  for (const index of UNIQUE_INDEXES) {
    const present = (await tableIndexes(strapi, index.table)).some(
      (i) => i.name === index.name || (sameColumns(i.columns, index.columns) && String(i.type).toLowerCase() === 'unique')
    );
    if (present) continue;
    await knex(strapi).schema.alterTable(index.table, (table) => table.unique(index.columns, { indexName: index.name }));
    strapi.log.info(`[wechat-auth] created the unique index ${index.name}`);
  }
}
