/**
 * The plugin on Strapi 5: the plain Strapi 5 app in tests/strapi5/app (its own node_modules,
 * `npm ci --prefix tests/strapi5/app`), booted in a process of its own by tests/strapi5/serve.js with
 * this repository's build linked in, on a SQLite file of its own.
 */
import { spawn, ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { REPO_ROOT } from './test-app';
import type { DatabaseSpec } from './database';

export const STRAPI5_APP = path.join(REPO_ROOT, 'tests', 'strapi5', 'app');

/** Whether the Strapi 5 app's dependencies are installed (.ci/run installs them). */
export const strapi5Installed = (): boolean => fs.existsSync(path.join(STRAPI5_APP, 'node_modules', '@strapi', 'strapi', 'package.json'));

/**
 * `describe` for a test file that needs the Strapi 5 app, decided before the tests are collected: without it,
 * `describe.skip` with a message (so the file shows as skipped), unless CI is set (then its tests fail instead).
 */
export function describeOnStrapi5(file: string): jest.Describe {
  if (strapi5Installed() || process.env.CI) return describe;
  console.warn(
    `${file} skipped: the Strapi 5 app (${STRAPI5_APP}) is not installed (npm test installs it: node scripts/strapi5-app.js); with CI set, this is a failure instead`
  );
  return describe.skip;
}

export interface Strapi5App {
  url: string;
  strapiVersion: string;
  /** The database the app runs on (a SQLite file of its own unless the options named another). */
  database: DatabaseSpec;
  /** Everything the process printed. */
  output: string[];
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface Strapi5Options {
  /** The plugin's config, as config/plugins.js would hold it. */
  pluginConfig: Record<string, unknown>;
  /** users-permissions' jwtManagement. */
  jwtManagement?: 'legacy-support' | 'refresh';
  /** users-permissions' jwtSecret. */
  jwtSecret?: string;
  env?: Record<string, string>;
  /** A server database (tests/helpers/database.ts freshDatabase); SQLite in a temporary folder otherwise. */
  database?: DatabaseSpec;
}

export async function startStrapi5({
  pluginConfig,
  jwtManagement = 'legacy-support',
  jwtSecret = 'strapi5-test-jwt-secret',
  env = {},
  database,
}: Strapi5Options): Promise<Strapi5App> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxauth-strapi5-'));
  const spec: DatabaseSpec = database ?? { client: 'sqlite', connection: { filename: path.join(dir, 'data.db') } };
  const child = spawn(process.execPath, ['--preserve-symlinks', path.join(REPO_ROOT, 'tests', 'strapi5', 'serve.js')], {
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'development',
      ...databaseEnv(spec),
      WECHAT_AUTH_CONFIG: JSON.stringify(pluginConfig),
      UP_JWT_MANAGEMENT: jwtManagement,
      JWT_SECRET: jwtSecret,
      STRAPI_TELEMETRY_DISABLED: 'true',
      STRAPI_DISABLE_UPDATE_NOTIFICATION: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const listening = new Promise<{ url: string; strapiVersion: string }>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve(JSON.parse(line) as { url: string; strapiVersion: string });
    });
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`Strapi 5 exited (${code}) before listening:\n${output.join('').slice(-4000)}`)));
  });
  const { url, strapiVersion } = await listening;
  return {
    url,
    strapiVersion,
    database: spec,
    output,
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** tests/strapi5/app/config/database.js reads these. */
function databaseEnv(spec: DatabaseSpec): Record<string, string> {
  const connection = spec.connection as { filename?: string; host?: string; port?: number; database?: string; user?: string; password?: string };
  if (spec.client === 'sqlite') return { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: String(connection.filename) };
  return {
    DATABASE_CLIENT: spec.client,
    DATABASE_HOST: String(connection.host),
    DATABASE_PORT: String(connection.port),
    DATABASE_NAME: String(connection.database),
    DATABASE_USERNAME: String(connection.user),
    DATABASE_PASSWORD: String(connection.password ?? ''),
  };
}
