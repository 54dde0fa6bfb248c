/**
 * Makes a table of a running test app refuse writes, as a real database failure: a trigger that
 * raises an error on INSERT or UPDATE (SQLite RAISE(ABORT), PostgreSQL RAISE EXCEPTION, MariaDB/MySQL
 * SIGNAL). The driver's error then travels through Strapi and the plugin as any database error would.
 */
import type { Knex } from 'knex';

export type Write = 'INSERT' | 'UPDATE';

/** The error code each database gives the refusal (what the plugin's DatabaseOperationError keeps). */
export const REFUSAL_CODES = ['SQLITE_CONSTRAINT_TRIGGER', 'P0001', 'ER_SIGNAL_EXCEPTION'];

const MESSAGE = 'refused by the test';

function clientOf(knex: Knex): 'sqlite' | 'postgres' | 'mysql' {
  const client = String((knex.client as { config: { client: unknown } }).config.client);
  if (client.includes('pg') || client.includes('postgres')) return 'postgres';
  if (client.includes('mysql')) return 'mysql';
  return 'sqlite';
}

/** Refuses `writes` on `table` until the returned function is called. */
export async function refuseWrites(knex: Knex, table: string, writes: Write[]): Promise<() => Promise<void>> {
  const client = clientOf(knex);
  const names = writes.map((write) => `wx_test_refuse_${write.toLowerCase()}_${table}`);
  if (client === 'postgres') {
    await knex.raw(`CREATE OR REPLACE FUNCTION wx_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${MESSAGE}'; END $$`);
  }
  for (const [i, write] of writes.entries()) {
    const name = names[i];
    if (client === 'sqlite') await knex.raw(`CREATE TRIGGER ${name} BEFORE ${write} ON ${table} BEGIN SELECT RAISE(ABORT, '${MESSAGE}'); END`);
    else if (client === 'postgres') await knex.raw(`CREATE TRIGGER ${name} BEFORE ${write} ON ${table} FOR EACH ROW EXECUTE FUNCTION wx_test_refuse()`);
    else await knex.raw(`CREATE TRIGGER ${name} BEFORE ${write} ON ${table} FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${MESSAGE}'`);
  }
  return async () => {
    for (const name of names) await knex.raw(client === 'postgres' ? `DROP TRIGGER IF EXISTS ${name} ON ${table}` : `DROP TRIGGER IF EXISTS ${name}`);
  };
}
