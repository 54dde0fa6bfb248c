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
  `${process.env.TEST_DATABASE_PREFIX ?? 'wxauth_'}${name}`
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase()
    .slice(0, 60);

/** A connection to the server itself (no database of ours), for creating and dropping databases. */
interface ServerConnection {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

async function connectToServer(client: 'postgres' | 'mysql', server: Record<string, unknown>, timeoutMs?: number): Promise<ServerConnection> {
  if (client === 'postgres') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when PostgreSQL is used; pg ships no typings
    const { Client } = require('pg') as { Client: new (options: Record<string, unknown>) => ServerConnection & { connect(): Promise<void> } };
    const connection = new Client({ ...server, database: 'postgres', ...(timeoutMs ? { connectionTimeoutMillis: timeoutMs } : {}) });
    await connection.connect();
    return connection;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when MariaDB/MySQL is used
  const mysql = require('mysql2/promise') as { createConnection(options: Record<string, unknown>): Promise<ServerConnection> };
  return mysql.createConnection({ ...server, ...(timeoutMs ? { connectTimeout: timeoutMs } : {}) });
}

/** Whether the database server for `client` answers (within a couple of seconds). */
export async function serverReachable(client: 'postgres' | 'mysql'): Promise<boolean> {
  try {
    await (await connectToServer(client, serverConnection(client), 2000)).end();
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
  const admin = await connectToServer(client, serverConnection(client));
  if (client === 'postgres') {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
  } else {
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
  await admin.end();
  const server = serverConnection(client);
  return { client: client === 'mysql' ? 'mysql2' : client, connection: { ...server, database: dbName } };
}

/** Drops a database freshDatabase() created on a server (SQLite files go with their app folder). */
export async function dropDatabase(spec: DatabaseSpec): Promise<void> {
  if (spec.client === 'sqlite') return;
  const { database, ...server } = spec.connection as { database: string } & Record<string, unknown>;
  const client = spec.client === 'postgres' ? 'postgres' : 'mysql';
  const admin = await connectToServer(client, server);
  await admin.query(client === 'postgres' ? `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)` : `DROP DATABASE IF EXISTS \`${database}\``);
  await admin.end();
}
