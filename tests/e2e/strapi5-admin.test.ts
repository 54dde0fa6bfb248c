/**
 * The settings page on Strapi 5, in a real browser: the Strapi 5 test app (tests/strapi5/app) with this
 * repository's build installed, its admin panel built by Strapi 5 (Vite), `strapi start` on 127.0.0.1, Debian's
 * chromium driven by playwright-core, and the WeChat simulator.
 *
 * The app is copied into a temporary folder first: its node_modules is a folder of symlinks to the test app's
 * packages, plus a real copy of the plugin (package.json, dist, strapi-server.js) as `npm install` would leave it.
 * So the build and the database never touch tests/strapi5/app, and Vite sees the plugin in node_modules.
 *
 * One app is set in config/plugins (WECHAT_AUTH_CONFIG, with its secret). The test registers the first admin,
 * opens PLUGINS → WeChat Mini Program Authenticator, adds a second app through the modal (a format error, a
 * server's field error, credentials tested before saving), tests it from its row, makes it the default, opens the
 * page from Settings → Global settings, and removes the app (the confirmation tells its identities). A screenshot
 * goes to docs/screenshots/strapi5-settings.png. Then the WeChat users view (tests/e2e/users-view.ts, the same steps
 * as on Strapi 4): search, identities, clearing a nickname, detaching an identity, a read-only role's view and a
 * no-permission role's view. Last, `strapi develop` (Vite's dev server) serves the page as well.
 *
 * Skipped (with a warning) when tests/strapi5/app/node_modules or /usr/bin/chromium is missing, except under CI.
 * About 2 minutes, most of it the admin build.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { chromium, Browser, Page, Response } from 'playwright-core';
import { WeChatSimulator } from '../../simulator/wechat-simulator';
import { freePort, REPO_ROOT } from './playground';
import { adminApi, adminToken, usersViewTests } from './users-view';
import { downloadCsv, fetchActivity, fetchActivityCsv, legendForToday, shownTotal, totalsOf, waitForCanvas } from './activity-panel';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS helper shared with the Strapi 5 playground script
const { installedCopy, strapiBin, NODE_FLAGS } = require('../strapi5/installed-copy') as {
  installedCopy: (dir: string) => string;
  strapiBin: (dir: string) => string;
  NODE_FLAGS: string[];
};

const CHROMIUM = '/usr/bin/chromium';
const APP_SOURCE = path.join(REPO_ROOT, 'tests', 'strapi5', 'app');
const APP_MODULES = path.join(APP_SOURCE, 'node_modules');
const PLUGIN = 'strapi-wechat-miniprogram-auth';
const PAGE_PATH = `/admin/plugins/${PLUGIN}`;
const API = `/${PLUGIN}`;
const SCREENSHOT = path.join(REPO_ROOT, 'docs', 'screenshots', 'strapi5-settings.png');

const missing = [APP_MODULES, CHROMIUM].filter((file) => !fs.existsSync(file));
const runnable = missing.length === 0 || Boolean(process.env.CI);
if (!runnable) {
  console.warn(
    `Skipping the Strapi 5 admin test: ${missing.join(' and ')} missing (npm test installs the app: node scripts/strapi5-app.js; apt-get install -y chromium).`
  );
}
const maybe = runnable ? describe : describe.skip;

const CONFIG_APP = { appId: 'wx0123456789abcdef', appSecret: '0123456789abcdef0123456789abcdef' };
const ADDED = { appId: 'wx9a8b7c6d5e4f3021', name: 'Coffee Club', appSecret: 'fedcba9876543210fedcba987654beef' };
const ADMIN = { email: 'owner@example.com', password: 'Owner-Passw0rd', firstname: 'Olivia', lastname: 'Owner' };

/** tests/strapi5/app in a temporary folder, with the plugin's build installed as a real copy. */
const prepareApp = (): string => installedCopy(fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-strapi5-admin-')));

const baseEnv = (): NodeJS.ProcessEnv => ({ ...process.env, STRAPI_TELEMETRY_DISABLED: 'true', BROWSER: 'none', NODE_ENV: 'production' });

function buildAdmin(dir: string): string {
  const result = spawnSync(process.execPath, [...NODE_FLAGS, strapiBin(dir), 'build'], { cwd: dir, env: baseEnv(), encoding: 'utf8', timeout: 600_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`strapi build exited with ${result.status}:\n${output.slice(-4000)}`);
  return output;
}

async function startStrapi(
  dir: string,
  wechatApiBaseUrl: string,
  command: 'start' | 'develop' = 'start'
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_FLAGS, strapiBin(dir), command, ...(command === 'develop' ? ['--no-watch-admin'] : [])], {
    cwd: dir,
    env: {
      ...baseEnv(),
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_FILENAME: path.join(dir, '.tmp', `${command}.db`),
      ...(command === 'develop' ? { NODE_ENV: 'development' } : {}),
      WECHAT_AUTH_CONFIG: JSON.stringify({ ...CONFIG_APP, apiBaseUrl: wechatApiBaseUrl }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  // `develop` builds the admin with Vite's dev server first: slow on a busy 2-core machine.
  const seconds = command === 'develop' ? 300 : 90;
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`strapi ${command} exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    const up = await fetch(`${url}/_health`).then(
      (res) => res.status === 204,
      () => false
    );
    if (up) return { url, child, output: () => output };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`strapi ${command} did not answer in ${seconds} s:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Registers the first admin of a fresh app through the admin panel. */
async function registerAdmin(page: Page, url: string) {
  await page.goto(`${url}/admin`);
  await page.waitForURL(/\/admin\/auth\/register-admin/, { timeout: 60_000 });
  await page.fill('input[name="firstname"]', ADMIN.firstname);
  await page.fill('input[name="lastname"]', ADMIN.lastname);
  await page.fill('input[name="email"]', ADMIN.email);
  await page.fill('input[name="password"]', ADMIN.password);
  await page.fill('input[name="confirmPassword"]', ADMIN.password);
  await page.getByRole('button', { name: "Let's start" }).click();
  await page.waitForURL((at) => !at.pathname.includes('/auth/'));
  const skip = page.getByRole('button', { name: /Skip/ });
  if (await skip.isVisible({ timeout: 3000 }).catch(() => false)) await skip.click();
}

maybe('the admin page on Strapi 5 (Vite build, Design System 2)', () => {
  // One Open Platform account: a person who logs in from both apps is one user with two identities (the users view).
  const sim = new WeChatSimulator({ apps: [CONFIG_APP, ADDED].map(({ appId, appSecret }) => ({ appId, appSecret, openPlatformId: 'op-strapi5-admin' })) });
  let dir = '';
  let buildOutput = '';
  let strapi: Awaited<ReturnType<typeof startStrapi>> | undefined;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const form = () => page.getByTestId('wechat-app-form');
  const row = (appId: string, p: Page = page) => p.getByTestId(`wechat-app-${appId}`);
  const apiCall = async (method: string, pathname: string, action: () => Promise<unknown>): Promise<Response> => {
    const answered = page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === `${API}${pathname}`);
    await action();
    return answered;
  };
  const fieldError = async (name: string) => {
    const id = await form().locator(`input[name="${name}"]`).getAttribute('id');
    const error = page.locator(`[id="${id}-error"]`);
    return (await error.count()) ? ((await error.textContent()) ?? '') : null;
  };

  beforeAll(async () => {
    dir = prepareApp();
    buildOutput = buildAdmin(dir);
    const wechatApiBaseUrl = await sim.start();
    strapi = await startStrapi(dir, wechatApiBaseUrl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'light' });
    // Hermetic: only loopback.
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      return hostname === '127.0.0.1' || hostname === 'localhost' ? route.continue() : route.abort();
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await stop(strapi?.child);
    await sim.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('Strapi 5 builds the admin with the plugin: the Strapi 4 page is left out of the way', () => {
    // Vite leaves the Strapi 4 chunk's require('@strapi/helper-plugin') external; nothing may fail the build.
    expect(buildOutput).not.toMatch(/failed to resolve import/i);
    expect(fs.existsSync(path.join(dir, 'dist', 'build', 'index.html')) || fs.existsSync(path.join(dir, 'build', 'index.html'))).toBe(true);
  });

  test('registers the first admin and opens PLUGINS → WeChat Mini Program Authenticator', async () => {
    await registerAdmin(page, strapi!.url);

    await page.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
    await page.locator('h1', { hasText: 'WeChat Mini Program Authenticator' }).waitFor();
    expect(await page.getByTestId('wechat-status').textContent()).toContain('Configured');
    expect(await page.getByTestId('wechat-login-url').textContent()).toBe(`POST ${strapi!.url}${API}/login`);
    const configured = row(CONFIG_APP.appId);
    expect(await configured.textContent()).toContain('••••cdef');
    expect(await configured.getByTestId('wechat-default-badge').textContent()).toBe('Default');
    // From config/plugins: not removable, and (its secret from config too) not editable here.
    expect(await configured.getByRole('button', { name: /is set in config\/plugins and cannot be removed here/ }).isDisabled()).toBe(true);
    expect(await page.locator('main').textContent()).toContain('Apps set in config/plugins');
  });

  test('tests the credentials of the app from config from its row', async () => {
    const tested = await apiCall('POST', '/settings/test', () =>
      row(CONFIG_APP.appId)
        .getByRole('button', { name: /^Test the credentials of / })
        .click()
    );
    expect(tested.status()).toBe(200);
    await page.getByTestId('wechat-test-result').waitFor();
    expect(await page.getByTestId('wechat-test-result').textContent()).toContain('can sign users in');
  });

  test('adds an app through the modal: format checks, a field error from the server, credentials tested before saving', async () => {
    await page.getByRole('button', { name: 'Add an app' }).first().click();
    await form().waitFor();
    await form().locator('input[name="appId"]').fill('wx123');
    await form().locator('input[name="appSecret"]').fill('not-hex');
    await form().getByRole('button', { name: 'Add the app' }).click();
    expect(await fieldError('appId')).toMatch(/wx/);
    expect(await fieldError('appSecret')).toBeTruthy();

    // The AppID of the app from config: the server refuses it (400, reason "duplicate"), shown on the field.
    await form().locator('input[name="appId"]').fill(CONFIG_APP.appId);
    await form().locator('input[name="appSecret"]').fill(ADDED.appSecret);
    const refused = await apiCall('POST', '/settings/apps', () => form().getByRole('button', { name: 'Add the app' }).click());
    expect(refused.status()).toBe(400);
    await page.locator(`[id="${await form().locator('input[name="appId"]').getAttribute('id')}-error"]`).waitFor();
    expect(await fieldError('appId')).toBeTruthy();

    await form().locator('input[name="appId"]').fill(ADDED.appId);
    await form().locator('input[name="name"]').fill(ADDED.name);
    const tested = await apiCall('POST', '/settings/test', () => form().getByRole('button', { name: 'Test credentials' }).click());
    expect(tested.status()).toBe(200);
    await form().getByTestId('wechat-test-result').waitFor();
    expect(await form().getByTestId('wechat-test-result').textContent()).toContain('can sign users in');

    const added = await apiCall('POST', '/settings/apps', () => form().getByRole('button', { name: 'Add the app' }).click());
    expect(added.status()).toBe(200);
    await form().waitFor({ state: 'detached' });
    await row(ADDED.appId).waitFor();
    expect(await row(ADDED.appId).textContent()).toContain(ADDED.name);
    expect(await row(ADDED.appId).textContent()).toContain('••••beef');
    // The secret never comes back.
    expect(await added.text()).not.toContain(ADDED.appSecret);
  });

  test('makes the new app the default, tests it from its row, and shows the page (screenshot)', async () => {
    const made = await apiCall('PUT', '/settings/default', () =>
      row(ADDED.appId)
        .getByRole('button', { name: `Make ${ADDED.name} the default app` })
        .click()
    );
    expect(made.status()).toBe(200);
    await row(ADDED.appId).getByTestId('wechat-default-badge').waitFor();
    expect(await page.getByTestId('wechat-default-app').textContent()).toContain(ADDED.name);
    // A change clears the last test result (it may no longer be true): test after it.
    const tested = await apiCall('POST', '/settings/test', () =>
      row(ADDED.appId)
        .getByRole('button', { name: `Test the credentials of ${ADDED.name}` })
        .click()
    );
    expect(tested.status()).toBe(200);
    await page.getByTestId('wechat-test-result').waitFor();
    expect(await page.getByTestId('wechat-test-result').textContent()).toContain(`AppID ${ADDED.appId} can sign users in.`);

    // The notifications close themselves (not while hovered).
    await page.mouse.move(0, 0);
    await page.getByText('is now the default app').waitFor({ state: 'hidden', timeout: 15_000 });
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true, animations: 'disabled', caret: 'hide' });
  });

  test('Activity: logins and WeChat errors per day as charts (canvas), their numbers those the server stored, as CSV', async () => {
    const url = strapi!.url;
    const signIn = (body: Record<string, string>) =>
      fetch(`${url}${API}/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    // A fresh app: two new users, one of them back, and WeChat refusing three codes; all in the app from config (the
    // added app must stay without logins for the removal test below).
    for (const user of ['ann', 'ben', 'ann']) {
      expect((await signIn({ code: sim.issueCode(CONFIG_APP.appId, user), appId: CONFIG_APP.appId })).status).toBe(200);
    }
    for (const fault of ['err40029', 'err40029', 'err45011']) {
      const refused = await signIn({ code: `fault_${fault}_${Math.random().toString(36).slice(2)}`, appId: CONFIG_APP.appId });
      expect(refused.status).toBeGreaterThanOrEqual(400);
    }
    const login = await fetch(`${url}/admin/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    expect(totalsOf(await fetchActivity(url, token, 'days=30'))).toEqual({ new: 2, returning: 1, '40029': 2, '45011': 1 });

    await apiCall('GET', '/activity', () => page.reload());
    await page.getByTestId('wechat-activity').scrollIntoViewIfNeeded();
    expect((await waitForCanvas(page, 'logins')).width).toBeGreaterThan(300);
    expect((await waitForCanvas(page, 'errors')).width).toBeGreaterThan(300);
    expect(await shownTotal(page, 'logins', 'new')).toBe(2);
    expect(await shownTotal(page, 'logins', 'returning')).toBe(1);
    expect(await shownTotal(page, 'errors', '40029')).toBe(2);
    expect(await shownTotal(page, 'errors', '45011')).toBe(1);
    expect(await legendForToday(page, 'logins')).toMatchObject({ New: '2', Returning: '1' });
    expect(await legendForToday(page, 'errors')).toMatchObject({ 'errcode 40029': '2', 'errcode 45011': '1' });

    await apiCall('GET', '/activity', () => page.getByTestId('wechat-activity-days-7').click());
    await page.getByRole('combobox', { name: 'App' }).click();
    await apiCall('GET', '/activity', () => page.getByRole('option', { name: `${ADDED.name} (${ADDED.appId})` }).click());
    // The added app: no login, no error.
    await page.getByTestId('wechat-activity-errors-empty').waitFor();
    expect(await shownTotal(page, 'logins', 'new')).toBe(0);
    const csv = await downloadCsv(page, 'logins');
    expect(csv.filename).toMatch(new RegExp(`-${ADDED.appId}\\.csv$`));
    expect(csv.text).toBe(await fetchActivityCsv(url, token, `days=7&appId=${ADDED.appId}&series=logins`));
    expect(csv.text.split('\r\n')).toHaveLength(1 + 7 + 1);
    expect(pageErrors).toEqual([]);
  });

  test('the same page is under Settings → Global settings', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('link', { name: 'WeChat Mini Program', exact: true }).click();
    await page.waitForURL(`**/admin/settings/${PLUGIN}`);
    await row(ADDED.appId).waitFor();
    await page.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
  });

  test('removes the added app after a confirmation that tells its identities', async () => {
    await row(ADDED.appId)
      .getByRole('button', { name: `Remove ${ADDED.name}` })
      .click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(`${ADDED.name} (${ADDED.appId})`);
    expect(text).toContain('No user has logged in with this AppID yet.');
    const removed = await apiCall('DELETE', `/settings/apps/${ADDED.appId}`, () => dialog.getByRole('button', { name: 'Remove', exact: true }).click());
    expect(removed.status()).toBe(200);
    await row(ADDED.appId).waitFor({ state: 'detached' });
    await dialog.waitFor({ state: 'detached' });
    expect(pageErrors).toEqual([]);
  });

  test('the added app comes back (through the API) for the WeChat users view', async () => {
    const token = await adminToken(strapi!.url, ADMIN);
    const added = await adminApi(strapi!.url, 'POST', `${API}/settings/apps`, token, ADDED);
    expect(added.status).toBe(200);
  });

  usersViewTests(() => ({
    baseUrl: strapi!.url,
    sim,
    browser,
    page,
    superAdmin: ADMIN,
    // The app from config has no name: the view shows its AppID.
    apps: [{ appId: CONFIG_APP.appId, name: CONFIG_APP.appId }, ADDED],
  }));

  test('`strapi develop` (Vite dev server, esbuild pre-bundling the plugin) serves the page too', async () => {
    await stop(strapi?.child);
    const develop = await startStrapi(dir, sim.baseUrl, 'develop');
    strapi = develop;
    const devPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    devPage.setDefaultTimeout(30_000);
    await registerAdmin(devPage, develop.url);
    await devPage.goto(`${develop.url}${PAGE_PATH}`);
    await devPage.locator('h1', { hasText: 'WeChat Mini Program Authenticator' }).waitFor();
    await row(CONFIG_APP.appId, devPage).waitFor();
    // The Strapi 4 page's require('@strapi/helper-plugin') is in a try/catch (admin/src/v4/helper-plugin.ts): esbuild
    // leaves it to run time instead of failing the pre-bundling.
    expect(develop.output()).not.toContain('Could not resolve "@strapi/helper-plugin"');
    await devPage.close();
  }, 480_000);
});
