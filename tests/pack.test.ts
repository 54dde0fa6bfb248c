/**
 * The published package, as a user gets it: `npm pack`, put into a plain Strapi 4.26 app's
 * node_modules, listed in its package.json and enabled in config/plugins.js with nothing else.
 * The app's admin builds with the plugin in it (`strapi build`) and a login works.
 *
 * The app lives outside the repository (so nothing of the repository is found by walking up) and
 * its node_modules holds the unpacked tarball next to links to the repository's installed
 * packages, standing in for what `npm install` would have put there.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { REPO_ROOT, startTestApp, TestApp, PLUGIN_NAME } from './helpers/test-app';
import { codeFor, login } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const pkg = require('../package.json');
const sim = new WeChatSimulator();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wxauth-pack-'));
const selfLink = path.join(REPO_ROOT, 'node_modules', PLUGIN_NAME);
let tarball: string;
let files: string[];
let installed: string;
let app: TestApp | undefined;

beforeAll(async () => {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO_ROOT });
  const [info] = JSON.parse(out.toString());
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
  pointSelfLinkAtInstalledCopy();
});

// Strapi resolves plugins from its own location, i.e. the repository's node_modules.
function pointSelfLinkAtInstalledCopy() {
  fs.rmSync(selfLink, { recursive: true, force: true });
  fs.symlinkSync(installed, selfLink, 'dir');
}

afterAll(async () => {
  await app?.stop();
  await sim.stop();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require('../scripts/link-self').linkSelf();
  fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the built plugin and nothing of the repository besides', () => {
  for (const file of ['package.json', 'README.md', 'strapi-server.js', 'dist/strapi-server.js', 'dist/strapi-admin.js', 'dist/server/index.js']) {
    expect(files).toContain(file);
  }
  expect(files.filter((f) => /^(tests|playground|bench|server|admin|simulator)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
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
          if (!require('module').builtinModules.includes(name)) required.add(name);
        }
      }
    }
  };
  walk(path.join(installed, 'dist', 'server'));
  walk(path.join(installed, 'dist', 'admin'));
  expect(required.size).toBeGreaterThan(3);
  expect([...required].filter((name) => !declared.has(name))).toEqual([]);
});

test("a plain Strapi 4.26 app builds its admin with the installed plugin", () => {
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
  pointSelfLinkAtInstalledCopy();
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'strapi'), ['build', '--ignore-prompts'], {
    cwd: appDir,
    env: { ...process.env, NODE_ENV: 'production', STRAPI_TELEMETRY_DISABLED: 'true' },
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
  pointSelfLinkAtInstalledCopy();
  expect(fs.realpathSync(selfLink)).toBe(fs.realpathSync(installed));
  // Only apiBaseUrl is set, to reach the simulator instead of api.weixin.qq.com; the credentials
  // come from the plugin store, where the admin panel keeps them.
  app = await startTestApp({ name: 'packed', root: path.join(work, 'apps'), pluginConfig: { apiBaseUrl } });
  await app.strapi
    .store({ type: 'plugin', name: PLUGIN_NAME })
    .set({ key: 'settings', value: { appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret } });
  const res = await login(app.server, { code: codeFor('packed') });
  expect(res.status).toBe(200);
  const me = await fetch(`${app.server}/api/users/me`, { headers: { Authorization: `Bearer ${res.body.token}` } });
  expect(me.status).toBe(200);
});
