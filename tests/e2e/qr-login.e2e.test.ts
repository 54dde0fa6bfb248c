/**
 * Logging in on a web page by scanning a mini program code, end to end: the playground's page
 * (playground/public/qr-login.html, served by `strapi start`) in headless Chromium asks for a code
 * and polls; a mini program, the client library's build on a `wx` whose login and requests are real
 * (tests/helpers/fake-wx.ts), "scans" the code the page shows (the simulator's image is read back to
 * its scene), sees the browser described, and confirms; the page then shows the logged-in user.
 * Everything on 127.0.0.1, WeChat being the simulator.
 *
 * Needs /usr/bin/chromium (apt-get install -y chromium). Without it the test is skipped, except
 * under CI, where it must run.
 */
import fs from 'fs';
import path from 'path';
import { chromium, Browser, Page } from 'playwright-core';
import { DEMO_APP, WeChatSimulator } from '../../simulator/wechat-simulator';
import { renderWxaCode } from '../../simulator/png';
import { FakeWx } from '../helpers/fake-wx';
import { ensurePlaygroundBuilt, REPO_ROOT, RunningPlayground, startPlayground } from './playground';
import type * as ClientModule from '../../client/src';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
const CLIENT_DIST = path.join(REPO_ROOT, 'client', 'miniprogram_dist');
const APP = DEMO_APP;

const runnable = fs.existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runnable) console.warn(`Skipping the QR login e2e test: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI it runs.`);
const maybe = runnable ? describe : describe.skip;

const sim = new WeChatSimulator({ apps: [APP] });
let playground: RunningPlayground;
let browser: Browser;
let page: Page;
let client: typeof ClientModule;
/** Every URL the page requested, and every request header it sent. */
const requested: string[] = [];

/** What scanning does: the scene of the code the page shows (the simulator's image, matched to the code it made). */
async function scanShownCode(p: Page): Promise<string> {
  const src = await p.locator('#qr-code').getAttribute('src');
  expect(src).toMatch(/^data:image\/png;base64,/);
  const shown = (src ?? '').split(',')[1];
  const code = sim.wxaCodes.find((made) => renderWxaCode(made).toString('base64') === shown);
  if (!code) throw new Error('the page shows no code the simulator made');
  expect(code).toMatchObject({ appId: APP.appId, page: 'pages/qr-login/index', envVersion: 'develop', checkPath: false });
  return code.scene;
}

/** A phone with the mini program: its wx and the client library on it. */
function phone(user: string) {
  const wx = new FakeWx({ simulatorUrl: sim.baseUrl, appId: APP.appId, user });
  return { wx, api: client.createClient({ baseURL: playground.url, appId: APP.appId, platform: wx }) };
}

maybe('the playground page logs in by a scan confirmed in the mini program', () => {
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built output, typed by its source
    client = require(CLIENT_DIST) as typeof ClientModule;
    const wechatApiBaseUrl = await sim.start();
    await ensurePlaygroundBuilt();
    playground = await startPlayground({
      wechatApiBaseUrl,
      name: 'qr-login',
      env: { WECHAT_APP_ID: APP.appId, WECHAT_APP_SECRET: APP.appSecret },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    const context = await browser.newContext({ viewport: { width: 900, height: 760 }, locale: 'en-US' });
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      return hostname === '127.0.0.1' ? route.continue() : route.abort();
    });
    page = await context.newPage();
    page.on('request', (request) => requested.push(request.url()));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await sim.stop();
  });

  test('code → scan (the browser described) → confirm → the page shows the user, whose JWT works', async () => {
    await page.goto(`${playground.url}/qr-login.html`);
    await page.locator('#status[data-status="pending"]').waitFor({ timeout: 15_000 });
    const ticket = await scanShownCode(page);
    expect(await page.locator('#ticket').textContent()).toBe(ticket);

    const { api } = phone('web-visitor');
    const scanned = await api.qrLogin.scan(ticket);
    // The headless Chromium on Linux, on the loopback network.
    expect(scanned.browser.device).toMatch(/Chrom.* on Linux/);
    expect(scanned.browser.network).toBe('127.0.0.0/24');
    await page.locator('#status[data-status="scanned"]').waitFor({ timeout: 10_000 });

    await api.qrLogin.confirm(ticket);
    await page.locator('#user').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#user-id').textContent()).toBe(String(api.user!.id));
    expect(await page.locator('#username').textContent()).toBe(api.user!.username);
    await page.locator('#me', { hasText: '→ 200' }).waitFor({ timeout: 10_000 });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'qr-login-web.png'), animations: 'disabled', caret: 'hide' });

    // Neither the secret nor the JWT was ever in a URL.
    const jwt = await page.evaluate(() => sessionStorage.getItem('jwt'));
    expect(jwt).toEqual(expect.any(String));
    expect(requested.filter((url) => url.includes(jwt!))).toEqual([]);
    expect(requested.filter((url) => /secret/i.test(url))).toEqual([]);
    expect(page.url()).toBe(`${playground.url}/qr-login.html`);
  });

  test('refused on the phone: the page says so and offers a new code', async () => {
    await page.goto(`${playground.url}/qr-login.html`);
    await page.locator('#status[data-status="pending"]').waitFor({ timeout: 15_000 });
    const ticket = await scanShownCode(page);
    const { api } = phone('web-refuser');
    await api.qrLogin.scan(ticket);
    await api.qrLogin.cancel(ticket);
    await page.locator('#status[data-status="cancelled"]').waitFor({ timeout: 10_000 });
    await page.locator('#refresh').click();
    await page.locator('#status[data-status="pending"]').waitFor({ timeout: 15_000 });
    expect(await scanShownCode(page)).not.toBe(ticket);
  });
});
