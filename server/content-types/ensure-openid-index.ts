import type { Strapi } from '../types';

const TABLE = 'up_users';
const INDEX = 'up_users_openid_unique';

/**
 * Makes sure the unique index on up_users.openid exists. Strapi's schema sync creates it, but it
 * can skip an existing app's table (one whose openid column was added by hand), and without the
 * index two simultaneous first logins could create two users.
 */
export async function ensureOpenidIndex(strapi: Strapi): Promise<void> {
  const db = strapi.db as unknown as {
    connection: { schema: { alterTable(t: string, f: (table: { unique(c: string[], o: { indexName: string }): void }) => void): Promise<void> } };
    dialect: { schemaInspector: { getIndexes(table: string): Promise<Array<{ name: string; columns: string[]; type?: string }>> } };
  };
  const indexes = await db.dialect.schemaInspector.getIndexes(TABLE);
  const present = indexes.some((i) => i.name === INDEX) || indexes.some((i) => i.columns.length === 1 && i.columns[0] === 'openid' && String(i.type).toLowerCase() === 'unique');
  if (present) return;
  await db.connection.schema.alterTable(TABLE, (table) => table.unique(['openid'], { indexName: INDEX }));
  strapi.log.info(`[wechat-auth] created the unique index ${INDEX}`);
}
