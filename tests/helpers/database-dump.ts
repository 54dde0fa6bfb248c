/**
 * Every row of every table of a test app's database as one text, the way a database dump would
 * show it: what "a dump alone reveals nothing" is checked against.
 */
import type { Untyped } from './test-app';

async function tableNames(knex: Untyped): Promise<string[]> {
  const client = String(knex.client.config.client);
  if (client.includes('sqlite')) {
    const rows = await knex.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'");
    return rows.map((r: { name: string }) => r.name);
  }
  if (client.includes('pg') || client.includes('postgres')) {
    const { rows } = await knex.raw('select tablename from pg_tables where schemaname = current_schema()');
    return rows.map((r: { tablename: string }) => r.tablename);
  }
  const [rows] = await knex.raw('select table_name as name from information_schema.tables where table_schema = database()');
  return rows.map((r: { name: string }) => r.name);
}

export async function dumpDatabase(strapi: Untyped): Promise<string> {
  const knex = strapi.db.connection;
  const parts: string[] = [];
  for (const table of (await tableNames(knex)).sort()) {
    const rows = await knex(table).select('*');
    parts.push(`-- ${table}\n${JSON.stringify(rows, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('utf8') : value))}`);
  }
  return parts.join('\n');
}
