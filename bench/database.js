'use strict';

/**
 * A fresh database for one playground: a new SQLite file (DATABASE_CLIENT unset), or the database
 * `name` dropped and created again on PostgreSQL/MariaDB (DATABASE_HOST, DATABASE_PORT,
 * DATABASE_USERNAME, DATABASE_PASSWORD). Returns the environment the playground reads it from.
 */
const fs = require('fs');
const path = require('path');
const { DB, PLAYGROUND } = require('./options');

/** `sqliteFile` is relative to `appDir` (the playground's config/database.ts resolves it so). */
async function prepareDatabase(name = 'wxauth_bench', sqliteFile = '.tmp/bench.db', appDir = PLAYGROUND) {
  if (DB === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(path.join(appDir, sqliteFile + suffix), { force: true });
    return { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: sqliteFile };
  }
  const host = process.env.DATABASE_HOST || '127.0.0.1';
  const port = Number(process.env.DATABASE_PORT || (DB === 'postgres' ? 5432 : 3306));
  const user = process.env.DATABASE_USERNAME || (DB === 'postgres' ? 'postgres' : 'root');
  const password = process.env.DATABASE_PASSWORD || '';
  if (DB === 'postgres') {
    const { Client } = require('pg');
    const admin = new Client({ host, port, user, password, database: 'postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
  } else {
    const mysql = require('mysql2/promise');
    const admin = await mysql.createConnection({ host, port, user, password });
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
  }
  return {
    DATABASE_CLIENT: DB,
    DATABASE_HOST: host,
    DATABASE_PORT: String(port),
    DATABASE_USERNAME: user,
    DATABASE_PASSWORD: password,
    DATABASE_NAME: name,
  };
}

module.exports = { prepareDatabase };
