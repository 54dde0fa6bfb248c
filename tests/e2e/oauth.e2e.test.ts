/**
 * The playground's web login pages (playground/public/web-login: an Official Account H5 login and a website QR login)
 * in headless Chromium, end to end: the page on a site of its own origin, the plugin's authorize route, the
 * simulator's consent page (Allow / Deny), the callback, and the page exchanging its one-time code for the JWT. The
 * person who logged in with the mini program is the same Strapi user on both pages (one Open Platform, one unionid).
 *
 * Needs /usr/bin/chromium (apt-get install -y chromium); skipped with a warning without it, except under CI.
 */
import fs from 'fs';
import http from 'http';
import path from 'path';
import type { AddressInfo } from 'net';
import { chromium, Browser, Page } from 'playwright-core';
import { startTestApp, TestApp, REPO_ROOT } from '../helpers/test-app';
import { codeFor, login } from '../helpers/login';
import { DEMO_APP, DEMO_OPEN_PLATFORM, DEMO_WEB_APPS, WeChatSimulator } from '../../simulator/wechat-simulator';

const CHROMIUM = '/usr/bin/chromium';
const PAGES = path.join(REPO_ROOT, 'playground', 'public', 'web-login');
const available = fs.existsSync(CHROMIUM);
if (!available && !process.env.CI) console.warn(`Skipping the web login e2e test: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI it runs.`);
const describeBrowser = available || process.env.CI ? describe : describe.skip;

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** The web side: the playground's pages served as files from an origin of their own. */
function startSite(): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url ?? '/', 'http://site').pathname);
    const file = path.join(PAGES, name);
    if (!req.url?.startsWith('/web-login/') || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(name)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

describeBrowser('web login pages in Chromium', () => {
  const sim = new WeChatSimulator({ apps: [{ ...DEMO_APP, openPlatformId: DEMO_OPEN_PLATFORM }, DEMO_WEB_APPS.officialAccount, DEMO_WEB_APPS.website] });
  let site: { url: string; server: http.Server };
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    site = await startSite();
    const conf = ({ appId, appSecret, type }: { appId: string; appSecret: string; type?: string }) => ({ appId, appSecret, ...(type ? { type } : {}) });
    app = await startTestApp({
      name: 'oauth-e2e',
      pluginConfig: {
        apiBaseUrl,
        apps: [conf(DEMO_APP), conf(DEMO_WEB_APPS.officialAccount), conf(DEMO_WEB_APPS.website)],
        oauth: { redirectAllowList: [`${site.url}/web-login/`], authorizeBaseUrl: apiBaseUrl },
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await new Promise((resolve) => site?.server.close(resolve));
    await sim.stop();
  }, 60_000);

  const open = (file: string) => page.goto(`${site.url}/web-login/${file}?api=${encodeURIComponent(app.server)}`);

  /** Clicks the page's login button, then on the simulator's consent page answers as `user`. */
  async function logIn(file: string, user: string, decision: 'allow' | 'deny') {
    await open(file);
    await page.click('#login');
    await page.waitForURL((url) => url.origin === sim.baseUrl);
    await page.fill('[data-testid="user"]', user);
    await page.click(`[data-testid="${decision}"]`);
    await page.waitForURL((url) => url.origin === site.url);
    await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]');
  }

  test('the mini program user logs in on the website (QR) and is the same Strapi user', async () => {
    const mini = await login(app.server, { code: codeFor('mina') });
    expect(mini.status).toBe(200);
    await logIn('website.html', 'mina', 'allow');
    expect(await page.textContent('#status')).toContain('Logged in as mina');
    expect(await page.textContent('#user-id')).toBe(String(mini.body.user.id));
    // The one-time code is gone from the address bar; the JWT was never in it.
    expect(new URL(page.url()).searchParams.has('login_code')).toBe(false);
    const jwt = await page.evaluate(() => sessionStorage.getItem('jwt'));
    expect(jwt).toBeTruthy();
    const me = await fetch(`${app.server}/api/users/me`, { headers: { Authorization: `Bearer ${jwt}` } });
    expect(((await me.json()) as { id: number }).id).toBe(mini.body.user.id);
  });

  test('and through the Official Account (H5 in WeChat): the same user again', async () => {
    const mini = await login(app.server, { code: codeFor('mina') });
    await logIn('official-account.html', 'mina', 'allow');
    expect(await page.textContent('#user-id')).toBe(String(mini.body.user.id));
  });

  test('refusing on the consent page: the page says so, no account is made', async () => {
    const users = await app.strapi.db.query('plugin::users-permissions.user').count();
    await logIn('official-account.html', 'nora', 'deny');
    expect(await page.textContent('#status')).toBe('Login failed: access_denied');
    expect(await page.getAttribute('#status', 'data-state')).toBe('error');
    expect(await app.strapi.db.query('plugin::users-permissions.user').count()).toBe(users);
  });
});
