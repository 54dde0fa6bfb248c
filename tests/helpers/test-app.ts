/**
 * Boots a real Strapi 4.26 app with the plugin installed the way users install it (a dependency
 * in the app's package.json, resolved through the package's exports), on a fresh database, in
 * this test process. Talk to it with supertest(app.server).
 */
import fs from 'fs';
import path from 'path';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { freshDatabase, DatabaseSpec } from './database';
import { LogCapture } from './log-capture';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PLUGIN_NAME = 'strapi-wechat-miniprogram-auth';

export interface TestAppOptions {
  /** Unique per test file: names the app folder and its database. */
  name: string;
  /** The plugin's config block (config/plugins.js → 'strapi-wechat-miniprogram-auth'.config). */
  pluginConfig?: Record<string, unknown>;
  /** Load the plugin at all (false: a plain app, e.g. to prepare data for a migration). */
  withPlugin?: boolean;
  /** Extra files to write into the app, relative path → content. */
  files?: Record<string, string>;
  /** Keep the database from an earlier boot of the same app instead of starting empty. */
  keepDatabase?: boolean;
  /** Folder the app is created in (default: the repository's .tmp/apps). */
  root?: string;
  /** Install @strapi/plugin-graphql in the app too (POST /graphql, with its default config). */
  graphql?: boolean;
}

/**
 * What Strapi 4 hands the tests (its instance, query-engine rows): untyped in its own typings, so
 * the one place tests admit `any`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Untyped = any;

export interface TestApp {
  strapi: Untyped;
  /** The app's base URL (it listens on 127.0.0.1); pass it to supertest. */
  server: string;
  logs: LogCapture;
  appDir: string;
  stop(): Promise<void>;
}

const lastSpecs = new Map<string, DatabaseSpec>();
const boots = new Map<string, number>();

function writeFile(file: string, content: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

export async function writeApp(options: TestAppOptions): Promise<{ appDir: string; database: DatabaseSpec }> {
  const home = path.join(options.root ?? path.join(REPO_ROOT, '.tmp', 'apps'), options.name);
  // A new folder per boot: jest's module registry keeps the config files a previous boot required.
  const appDir = path.join(home, `boot-${(boots.get(options.name) ?? 0) + 1}`);
  boots.set(options.name, (boots.get(options.name) ?? 0) + 1);
  let database = options.keepDatabase ? lastSpecs.get(options.name) : undefined;
  if (!database) {
    fs.rmSync(home, { recursive: true, force: true });
    database = await freshDatabase(options.name, home);
    lastSpecs.set(options.name, database);
  }
  const withPlugin = options.withPlugin !== false;
  const dependencies: Record<string, string> = {
    '@strapi/strapi': '4.26.2',
    '@strapi/plugin-users-permissions': '4.26.2',
  };
  if (withPlugin) dependencies[PLUGIN_NAME] = '*';
  if (options.graphql) dependencies['@strapi/plugin-graphql'] = '4.26.2';

  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: `test-app-${options.name}`, private: true, version: '0.0.0', dependencies }, null, 2),
    'config/database.js': `module.exports = () => ({ connection: { client: ${JSON.stringify(
      database.client === 'sqlite' ? 'sqlite' : database.client
    )}, connection: ${JSON.stringify(database.connection)}, useNullAsDefault: true, pool: ${
      database.client === 'sqlite' ? '{ min: 1, max: 1 }' : '{ min: 0, max: 10 }'
    } } });\n`,
    'config/server.js': `module.exports = () => ({ host: '127.0.0.1', port: 0, app: { keys: ['testKeyA', 'testKeyB'] } });\n`,
    'config/admin.js': `module.exports = () => ({ auth: { secret: 'test-admin-jwt-secret' }, apiToken: { salt: 'test-api-token-salt' }, transfer: { token: { salt: 'test-transfer-salt' } } });\n`,
    'config/plugins.js': `module.exports = () => (${JSON.stringify(
      {
        'users-permissions': { config: { jwtSecret: 'test-users-permissions-jwt-secret' } },
        ...(withPlugin ? { [PLUGIN_NAME]: { enabled: true, config: options.pluginConfig ?? {} } } : {}),
      },
      null,
      2
    )});\n`,
    'config/middlewares.js': `module.exports = ['strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'strapi::poweredBy', 'strapi::query', 'strapi::body', 'strapi::session', 'strapi::favicon', 'strapi::public'];\n`,
    // Everything is logged (and captured by LogCapture); only errors reach the console unless TEST_LOG_LEVEL says otherwise.
    'config/logger.js': `const winston = require('winston');\nmodule.exports = { level: 'silly', transports: [new winston.transports.Console({ level: process.env.TEST_LOG_LEVEL || 'error' })] };\n`,
    'public/uploads/.gitkeep': '',
    'src/index.js': 'module.exports = { register() {}, bootstrap() {} };\n',
    ...options.files,
  };
  for (const [file, content] of Object.entries(files)) writeFile(path.join(appDir, file), content);
  return { appDir, database };
}

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const { appDir } = await writeApp(options);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS factory; its typings declare no callable default
  const createStrapi = require('@strapi/strapi') as (options: Record<string, unknown>) => Untyped;
  const strapi = createStrapi({ appDir, distDir: appDir, autoReload: false, serveAdminPanel: false });
  const logs = new LogCapture();
  logs.attach(strapi.log);
  try {
    await strapi.load();
  } catch (error) {
    // A startup that fails (on purpose, in some tests) must not leave its database pool open.
    await strapi.destroy().catch(() => undefined);
    throw error;
  }
  await strapi.server.mount();
  const httpServer: Server = strapi.server.httpServer;
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    strapi,
    server: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    logs,
    appDir,
    async stop() {
      await strapi.destroy();
    },
  };
}

/** Sets users-permissions' Advanced settings (allow_register, default_role, ...). */
export async function setAdvancedSettings(strapi: Untyped, patch: Record<string, unknown>): Promise<void> {
  const store = strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' });
  await store.set({ value: { ...(await store.get()), ...patch } });
}
