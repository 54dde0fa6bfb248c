/**
 * Strapi apps in processes of their own (tests/helpers/serve-app.js), as instances behind a load
 * balancer, and whether the shared database server a test needs answers at all.
 */
import { spawn, spawnSync, ChildProcess } from 'child_process';
import path from 'path';
import knexFactory, { Knex } from 'knex';
import { REPO_ROOT, writeApp } from './test-app';
import { DatabaseSpec, dropDatabase } from './database';

export interface Instance {
  url: string;
  child: ChildProcess;
  /** Everything the process printed (every log line: TEST_LOG_LEVEL=silly). */
  output: string[];
}

/** Boots the app in `appDir` in a child process; resolves once it listens. */
export function startInstance(appDir: string): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'tests', 'helpers', 'serve-app.js'), appDir], {
      env: { ...process.env, TEST_LOG_LEVEL: 'silly', STRAPI_TELEMETRY_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child, output });
    });
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`Strapi instance exited (${code}) before listening:\n${output.join('').slice(-3000)}`)));
  });
}

export async function stopInstance(instance?: Instance): Promise<void> {
  if (!instance || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Whether a `client` server answers on DATABASE_HOST/PORT (a TCP connect, decided synchronously so a test file can skip). */
export function databaseServerAnswers(client: 'postgres' | 'mysql'): boolean {
  const script =
    `const c=${JSON.stringify(client)};const h=process.env.DATABASE_HOST||'127.0.0.1';` +
    `const p=Number(process.env.DATABASE_PORT||(c==='postgres'?5432:3306));` +
    `require('net').connect({host:h,port:p,timeout:2000}).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1));`;
  return spawnSync(process.execPath, ['-e', script], { timeout: 5000 }).status === 0;
}

export const databaseServerAddress = (client: 'postgres' | 'mysql') =>
  `${process.env.DATABASE_HOST || '127.0.0.1'}:${process.env.DATABASE_PORT || (client === 'postgres' ? 5432 : 3306)}`;

/**
 * `describe` for a test file that needs the `client` server, decided before the tests are collected: without it,
 * `describe.skip` with a message (so the file shows as skipped), unless CI is set (then its tests fail instead).
 */
export function describeOnDatabaseServer(client: 'postgres' | 'mysql', file: string): jest.Describe {
  if (databaseServerAnswers(client) || process.env.CI) return describe;
  console.warn(`${file} skipped: no ${client} server answers on ${databaseServerAddress(client)} (with CI set, this is a failure instead)`);
  return describe.skip;
}

export interface InstancesOnOneDatabase {
  a: Instance;
  b: Instance;
  database: DatabaseSpec;
  /** A knex of the test's own, to read what both instances wrote. */
  db: Knex;
}

/** Two Strapi processes on one fresh `client` database (for SQLite: one file), as behind a load balancer. */
export async function startTwoInstances(
  client: 'postgres' | 'mysql' | 'sqlite',
  options: { name: string; pluginConfig: Record<string, unknown>; files?: Record<string, string> }
): Promise<InstancesOnOneDatabase> {
  const saved = process.env.DATABASE_CLIENT;
  process.env.DATABASE_CLIENT = client;
  try {
    const first = await writeApp(options);
    const second = await writeApp({ ...options, keepDatabase: true });
    // One after the other: the first boot creates the schema.
    const a = await startInstance(first.appDir);
    const b = await startInstance(second.appDir);
    const { database } = first;
    const db = knexFactory({
      client: database.client === 'sqlite' ? 'better-sqlite3' : database.client,
      connection: database.connection as Knex.StaticConnectionConfig,
      pool: { min: 0, max: 2 },
      useNullAsDefault: true,
    });
    return { a, b, database, db };
  } finally {
    if (saved === undefined) delete process.env.DATABASE_CLIENT;
    else process.env.DATABASE_CLIENT = saved;
  }
}

export async function stopTwoInstances(instances: Partial<InstancesOnOneDatabase>): Promise<void> {
  await instances.db?.destroy();
  await Promise.all([stopInstance(instances.a), stopInstance(instances.b)]);
  if (instances.database) await dropDatabase(instances.database);
}
