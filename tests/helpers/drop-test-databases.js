'use strict';

/**
 * Drops every database the tests created (named TEST_DATABASE_PREFIX, default `wxauth_`, + a
 * test name) on the PostgreSQL and MariaDB/MySQL servers that answer. For CI, after the runs:
 *   node tests/helpers/drop-test-databases.js
 * Same connection settings as tests/helpers/database.ts (DATABASE_HOST/PORT/USERNAME/PASSWORD).
 */
const prefix = process.env.TEST_DATABASE_PREFIX ?? 'wxauth_';
if (!/^[a-z0-9_]+$/i.test(prefix)) throw new Error(`refusing an unusual TEST_DATABASE_PREFIX: ${prefix}`);

const server = (client) => ({
  host: process.env.DATABASE_HOST ?? '127.0.0.1',
  port: Number(process.env.DATABASE_PORT ?? (client === 'postgres' ? 5432 : 3306)),
  user: process.env.DATABASE_USERNAME ?? (client === 'postgres' ? 'postgres' : 'root'),
  password: process.env.DATABASE_PASSWORD ?? '',
});

async function dropPostgres() {
  const { Client } = require('pg');
  const admin = new Client({ ...server('postgres'), database: 'postgres', connectionTimeoutMillis: 2000 });
  await admin.connect();
  const { rows } = await admin.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.end();
  return rows.map((r) => r.datname);
}

async function dropMysql() {
  const mysql = require('mysql2/promise');
  const admin = await mysql.createConnection({ ...server('mysql'), connectTimeout: 2000 });
  const [rows] = await admin.query('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?', [`${prefix.replace(/_/g, '\\_')}%`]);
  for (const { name } of rows) await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.end();
  return rows.map((r) => r.name);
}

async function main() {
  for (const [label, drop] of [
    ['PostgreSQL', dropPostgres],
    ['MariaDB/MySQL', dropMysql],
  ]) {
    try {
      const dropped = await drop();
      console.log(`${label}: dropped ${dropped.length} test database(s)${dropped.length ? `: ${dropped.join(', ')}` : ''}`);
    } catch (error) {
      console.log(`${label}: not reachable (${error.code || error.message}), nothing dropped`);
    }
  }
}

main();
