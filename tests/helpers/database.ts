/**
 * Which database the test apps use: SQLite by default; PostgreSQL or MariaDB/MySQL when
 * DATABASE_CLIENT says so (DATABASE_HOST/PORT/USERNAME/PASSWORD for where). Each app gets a
 * database of its own, created fresh, named TEST_DATABASE_PREFIX (default `wxauth_`) + its name;
 * `node tests/helpers/drop-test-databases.js` drops them all afterwards.
 */
import path from 'path';
import fs from 'fs';

export type DatabaseClient = 'sqlite' | 'postgres' | 'mysql';

export const databaseClient = (): DatabaseClient => {
  const client = (process.env.DATABASE_CLIENT ?? 'sqlite').toLowerCase();
  if (client === 'postgres' || client === 'postgresql') return 'postgres';
  if (client === 'mysql' || client === 'mariadb' || client === 'mysql2') return 'mysql';
  return 'sqlite';
};

/** The knex client name for config/database.js: Strapi 4.26 ships the `mysql2` driver, not `mysql`. */
export type KnexClient = 'sqlite' | 'postgres' | 'mysql2';

export interface DatabaseSpec {
  client: KnexClient;
  /** A JavaScript object literal for the app's config/database.js `connection`. */
  connection: Record<string, unknown>;
}

/**
 * The server database for tests that need one shared by several processes: DATABASE_CLIENT's
 * when it names one, PostgreSQL otherwise.
 */
export const sharedDatabaseClient = (): 'postgres' | 'mysql' => (databaseClient() === 'mysql' ? 'mysql' : 'postgres');

function serverConnection(client: DatabaseClient) {
  return {
    host: process.env.DATABASE_HOST ?? '127.0.0.1',
    port: Number(process.env.DATABASE_PORT ?? (client === 'postgres' ? 5432 : 3306)),
    user: process.env.DATABASE_USERNAME ?? (client === 'postgres' ? 'postgres' : 'root'),
    password: process.env.DATABASE_PASSWORD ?? '',
  };
}

export const testDatabaseName = (name: string) =>
  `${process.env.TEST_DATABASE_PREFIX ?? 'wxauth_'}${name}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase().slice(0, 60);

/** Whether the database server for `client` answers (within a couple of seconds). */
export async function serverReachable(client: 'postgres' | 'mysql'): Promise<boolean> {
  const server = serverConnection(client);
  try {
    if (client === 'postgres') {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { Client } = require('pg');
      const admin = new Client({ ...server, database: 'postgres', connectionTimeoutMillis: 2000 });
      await admin.connect();
      await admin.end();
    } else {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const mysql = require('mysql2/promise');
      const admin = await mysql.createConnection({ ...server, connectTimeout: 2000 });
      await admin.end();
    }
    return true;
  } catch {
    return false;
  }
}

/** Creates an empty database `name` (dropping any previous one) and says how to reach it. */
export async function freshDatabase(name: string, appDir: string, client: DatabaseClient = databaseClient()): Promise<DatabaseSpec> {
  const dbName = testDatabaseName(name);
  if (client === 'sqlite') {
    const filename = path.join(appDir, '.tmp', 'data.db');
    fs.rmSync(path.dirname(filename), { recursive: true, force: true });
    fs.mkdirSync(path.dirname(filename), { recursive: true });
    return { client, connection: { filename } };
  }
  const server = serverConnection(client);
  if (client === 'postgres') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Client } = require('pg');
    const admin = new Client({ ...server, database: 'postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
  } else {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mysql = require('mysql2/promise');
    const admin = await mysql.createConnection(server);
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
  }
  return { client: client === 'mysql' ? 'mysql2' : client, connection: { ...server, database: dbName } };
}

/** Drops a database freshDatabase() created on a server (SQLite files go with their app folder). */
export async function dropDatabase(spec: DatabaseSpec): Promise<void> {
  if (spec.client === 'sqlite') return;
  const { database, ...server } = spec.connection as { database: string } & Record<string, unknown>;
  if (spec.client === 'postgres') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Client } = require('pg');
    const admin = new Client({ ...server, database: 'postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  } else {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mysql = require('mysql2/promise');
    const admin = await mysql.createConnection(server);
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }
}
