import { builtinModules } from 'module';
/**
 * The published package, as a user gets it: `npm pack`, put into a plain Strapi 4.26 app's
 * node_modules, listed in its package.json and enabled in config/plugins.js with nothing else.
 * The app's admin builds with the plugin in it (`strapi build`) and a login works.
 *
 * The app lives outside the repository (so nothing of the repository is found by walking up) and
 * its node_modules holds the unpacked tarball next to links to the repository's installed
 * packages, standing in for what `npm install` would have put there. Strapi runs in child
 * processes with --preserve-symlinks, so that every package, Strapi included, resolves from the
 * app's node_modules as in a real install (and finds the unpacked plugin, not this repository).
 */
import { execFileSync, spawn, spawnSync, ChildProcess } from 'child_process';
import readline from 'readline';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { REPO_ROOT, writeApp, PLUGIN_NAME } from './helpers/test-app';
import { codeFor } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

import pkg from '../package.json';
const sim = new WeChatSimulator();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wxauth-pack-'));
const nodeOptions = { ...process.env, NODE_OPTIONS: '--preserve-symlinks --preserve-symlinks-main', STRAPI_TELEMETRY_DISABLED: 'true' };
let tarball: string;
let files: string[];
let packInfo: { size: number; unpackedSize: number };
let installed: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO_ROOT });
  const [info] = JSON.parse(out.toString());
  packInfo = info;
  tarball = path.join(work, info.filename);
  files = info.files.map((f: { path: string }) => f.path);

  const nodeModules = path.join(work, 'node_modules');
  fs.mkdirSync(nodeModules);
  for (const entry of fs.readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
    if (entry === PLUGIN_NAME || entry === '.bin' || entry.startsWith('.')) continue;
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(nodeModules, entry));
  }
  installed = path.join(nodeModules, PLUGIN_NAME);
  fs.mkdirSync(installed);
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  }
  await sim.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Starts the app in a child process; resolves with its URL and where Strapi found the plugin. */
async function serve(appDir: string): Promise<{ url: string; pluginPath: string }> {
  child = spawn(process.execPath, [path.join(__dirname, 'helpers', 'serve-app.js'), appDir], {
    env: nodeOptions,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const lines = readline.createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{"url"')) resolve(JSON.parse(line));
    });
    child!.once('exit', (code) => reject(new Error(`the app exited (${code}): ${stderr.slice(-2000)}`)));
  });
}

/**
 * What the tarball may weigh (bytes): the packed .tgz and the files unpacked. The 2.0.0 tarball: about 270 KB / 930 KB;
 * with the QR and web logins, the WeChat users view and the login activity: about 430 KB / 1,520 KB.
 */
const SIZE_BUDGET = { packed: 480 * 1024, unpacked: 1700 * 1024 };

test('the tarball holds the built plugin, its docs and license, and nothing of the repository besides', () => {
  for (const file of [
    'package.json',
    'README.md',
    'README.zh-CN.md',
    'CHANGELOG.md',
    'LICENSE',
    'docs/configuration.md',
    'docs/zh-CN/configuration.md',
    'strapi-server.js',
    'dist/strapi-server.js',
    'dist/admin-esm/index.js',
    'dist/admin-esm/v5/pages/SettingsPage.js',
    'dist/admin-esm/v5/pages/UsersPage.js',
    'dist/admin/src/v4/pages/SettingsPage.js',
    'dist/admin/src/v4/pages/UsersPage.js',
    'dist/server/index.js',
  ]) {
    expect(files).toContain(file);
  }
  const repositoryOnly = /^(tests|playground|bench|server|admin|simulator|scripts|examples|client|docs\/design|docs\/screenshots|\.ci)\//;
  expect(files.filter((f) => repositoryOnly.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  // Every entry of `files` names something that exists (npm skips the others silently).
  for (const entry of pkg.files) {
    const pattern = new RegExp(`^${entry.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}(/|$)`);
    expect({ entry, packed: files.some((f) => pattern.test(f)) }).toEqual({ entry, packed: true });
  }
});

test('no source map in the tarball points outside it', () => {
  const maps = files.filter((f) => f.endsWith('.map'));
  for (const map of maps) {
    const { sources = [], sourceRoot = '' } = JSON.parse(fs.readFileSync(path.join(installed, map), 'utf8')) as { sources?: string[]; sourceRoot?: string };
    for (const source of sources) {
      const resolved = path.resolve(path.dirname(path.join(installed, map)), sourceRoot, source);
      expect({ map, source, inside: resolved.startsWith(installed + path.sep) && fs.existsSync(resolved) }).toEqual({ map, source, inside: true });
    }
  }
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const reference = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fs.readFileSync(path.join(installed, file), 'utf8'));
    if (reference && !reference[1].startsWith('data:')) expect(files).toContain(path.posix.join(path.posix.dirname(file), reference[1]));
  }
});

test(`the tarball stays within its size budget (${SIZE_BUDGET.packed / 1024} KB packed, ${SIZE_BUDGET.unpacked / 1024} KB unpacked)`, () => {
  expect(packInfo.size).toBeLessThanOrEqual(SIZE_BUDGET.packed);
  expect(packInfo.unpackedSize).toBeLessThanOrEqual(SIZE_BUDGET.unpacked);
});

test('every package the built server requires is a dependency or a peer dependency', () => {
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const required = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.js')) {
        for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)) {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          if (!builtinModules.includes(name)) required.add(name);
        }
      }
    }
  };
  walk(path.join(installed, 'dist', 'server'));
  walk(path.join(installed, 'dist', 'admin'));
  expect(required.size).toBeGreaterThan(3);
  expect([...required].filter((name) => !declared.has(name))).toEqual([]);
});

test('a plain Strapi 4.26 app builds its admin with the installed plugin', () => {
  const appDir = path.join(work, 'admin-build');
  fs.mkdirSync(path.join(appDir, 'config'), { recursive: true });
  fs.mkdirSync(path.join(appDir, 'src'), { recursive: true });
  fs.writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({
      name: 'plain-app',
      private: true,
      dependencies: {
        '@strapi/strapi': '4.26.2',
        '@strapi/plugin-users-permissions': '4.26.2',
        react: '18.3.1',
        'react-dom': '18.3.1',
        'react-router-dom': '5.3.4',
        'styled-components': '5.3.11',
        [PLUGIN_NAME]: pkg.version,
      },
    })
  );
  fs.writeFileSync(path.join(appDir, 'config', 'plugins.js'), `module.exports = { '${PLUGIN_NAME}': { enabled: true } };\n`);
  fs.writeFileSync(path.join(appDir, 'config', 'server.js'), `module.exports = { app: { keys: ['a', 'b'] } };\n`);
  fs.writeFileSync(path.join(appDir, 'config', 'admin.js'), `module.exports = { auth: { secret: 'x' } };\n`);
  fs.writeFileSync(path.join(appDir, 'src', 'index.js'), 'module.exports = {};\n');
  execFileSync(process.execPath, [path.join(work, 'node_modules', '@strapi', 'strapi', 'bin', 'strapi.js'), 'build', '--ignore-prompts'], {
    cwd: appDir,
    env: { ...nodeOptions, NODE_ENV: 'production' },
    stdio: 'pipe',
    timeout: 240_000,
  });
  const bundle = fs
    .readdirSync(path.join(appDir, 'build'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => fs.readFileSync(path.join(appDir, 'build', f), 'utf8'))
    .join('\n');
  expect(bundle).toContain('WeChat Mini Program Authenticator');
}, 300_000);

test('with the plugin just enabled, a mini program logs in and the JWT works', async () => {
  const apiBaseUrl = await sim.start();
  // Only apiBaseUrl is set, to reach the simulator instead of api.weixin.qq.com; the credentials
  // go where the admin panel keeps them (the plugin store), through the admin API.
  const { appDir } = await writeApp({ name: 'packed', root: path.join(work, 'apps'), pluginConfig: { apiBaseUrl } });
  const { url, pluginPath } = await serve(appDir);
  expect(fs.realpathSync(pluginPath)).toBe(fs.realpathSync(installed));

  const post = (route: string, body: unknown, token?: string) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const admin = await post('/admin/register-admin', { email: 'owner@example.com', firstname: 'O', lastname: 'W', password: 'Owner12345' });
  expect(admin.status).toBe(200);
  const adminToken = ((await admin.json()) as { data: { token: string } }).data.token;
  const saved = await post(`/${PLUGIN_NAME}/settings/apps`, { appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }, adminToken);
  expect(saved.status).toBe(200);

  const res = await post(`/${PLUGIN_NAME}/login`, { code: codeFor('packed') });
  expect(res.status).toBe(200);
  // The content-API URL answers the same login.
  const viaApi = await post(`/api/${PLUGIN_NAME}/login`, { code: codeFor('packed') });
  expect(viaApi.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const me = await fetch(`${url}/api/users/me`, { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);
});

/**
 * What `npm install <tarball>` decides in a plain app of each major, without --legacy-peer-deps or --force: a
 * dry run (npm resolves the whole tree, peers included, and writes nothing). Strapi 4.26: the app's
 * package.json as create-strapi-app writes it, resolved from the registry (npm's cache first); Strapi 5: the
 * Strapi 5 test app's package.json and lockfile.
 */
describe('npm installs the tarball into a plain app of each major, no flags', () => {
  const apps: Array<[string, (dir: string) => void]> = [
    [
      'Strapi 4.26',
      (dir) => {
        const { dependencies } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'playground', 'package.json'), 'utf8')) as {
          dependencies: Record<string, string>;
        };
        delete dependencies[PLUGIN_NAME];
        fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'plain-strapi4', private: true, version: '0.0.0', dependencies }));
      },
    ],
    [
      'Strapi 5',
      (dir) => {
        for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(REPO_ROOT, 'tests', 'strapi5', 'app', file), path.join(dir, file));
      },
    ],
  ];

  test.each(apps)(
    '%s: npm resolves it',
    (_label, prepare) => {
      const dir = fs.mkdtempSync(path.join(work, 'npm-'));
      prepare(dir);
      const result = spawnSync('npm', ['install', '--dry-run', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 300_000,
      });
      const output = `${result.stdout}\n${result.stderr}`;
      expect({ status: result.status, eresolve: /ERESOLVE/.test(output) }).toEqual({ status: 0, eresolve: false });
      expect(output).toMatch(/added \d+ packages/);
    },
    320_000
  );
});

test('a plain Strapi 5 app with the tarball installed: the plugin just enabled, a mini program logs in and the JWT works', async () => {
  const modules = path.join(REPO_ROOT, 'tests', 'strapi5', 'app', 'node_modules');
  if (!fs.existsSync(modules)) throw new Error('tests/strapi5/app is not installed: npm test installs it (node scripts/strapi5-app.js)');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS helper the Strapi 5 tests share
  const { installedCopy } = require('./strapi5/installed-copy') as { installedCopy: (dir: string, options: { pluginFrom: string }) => string };
  const appDir = installedCopy(path.join(work, 'plain-strapi5'), { pluginFrom: installed });
  const apiBaseUrl = sim.baseUrl || (await sim.start());
  const env = {
    ...nodeOptions,
    DATABASE_FILENAME: path.join(appDir, '.tmp', 'data.db'),
    WECHAT_AUTH_CONFIG: JSON.stringify({ apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }),
  };
  const app = spawn(process.execPath, [path.join(__dirname, 'helpers', 'serve-app.js'), appDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stderr = '';
    app.stderr.on('data', (chunk) => (stderr += chunk));
    const lines = readline.createInterface({ input: app.stdout });
    const { url, pluginPath, strapiVersion } = await new Promise<{ url: string; pluginPath: string; strapiVersion: string }>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line.startsWith('{"url"')) resolve(JSON.parse(line));
      });
      app.once('exit', (code) => reject(new Error(`the Strapi 5 app exited (${code}): ${stderr.slice(-2000)}`)));
    });
    expect(strapiVersion).toMatch(/^5\./);
    expect(pluginPath).toBe(path.join(appDir, 'node_modules', PLUGIN_NAME));
    const res = await fetch(`${url}/api/${PLUGIN_NAME}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: codeFor('packed5') }),
    });
    expect(res.status).toBe(200);
    const { token, user } = (await res.json()) as { token: string; user: { documentId: string } };
    expect(user.documentId).toMatch(/^[a-z0-9]{24}$/);
    const me = await fetch(`${url}/api/users/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  } finally {
    if (app.exitCode === null) {
      app.kill('SIGTERM');
      await new Promise((resolve) => app.once('exit', resolve));
    }
  }
}, 120_000);
