/**
 * The settings page in a real browser: Debian's chromium driven by playwright-core, against the
 * playground (`strapi start`, admin built) and the WeChat simulator, everything on 127.0.0.1.
 *
 * A newcomer's path: register the first admin, open PLUGINS → WeChat Mini Program Authenticator,
 * save the credentials, reload (the secret shows only as its last 4 characters), test them
 * (accepted, then a wrong secret refused), log a mini program user in with them, switch the
 * admin to 中文, check that an Author admin gets "no permission" and that a read-only role gets a
 * read-only page (in French). No response to the browser may carry the secret. Screenshots go to
 * docs/screenshots/.
 *
 * Needs /usr/bin/chromium (apt-get install -y chromium; fonts-wqy-microhei for the Chinese
 * screenshot). Without it the test is skipped, except under CI, where it must run.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import fs from 'fs';
import path from 'path';
import { chromium, Browser, BrowserContext, Page, Response } from 'playwright-core';
import { WeChatSimulator } from '../../simulator/wechat-simulator';
import { ensurePlaygroundBuilt, REPO_ROOT, RunningPlayground, startPlayground } from './playground';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
const PAGE_PATH = '/admin/plugins/strapi-wechat-miniprogram-auth';

const runnable = fs.existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runnable) {
  console.warn(`Skipping the admin e2e test: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI it runs.`);
} else if (!hasChineseFont()) {
  console.warn('No Chinese font installed (apt-get install -y fonts-wqy-microhei): the 中文 screenshot will show empty boxes.');
}

function hasChineseFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

// A mini program of our own. The secret is random (any occurrence of it is a leak) except for its
// last 4 characters, which the page shows: with the fixed AppID, the screenshots stay the same.
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const APP = { appId: 'wx5f1c0a9d3b7e2468', appSecret: `${hex(14)}c0de` };
const WRONG_SECRET = hex(16);
const SUPER = { email: 'owner@example.com', password: 'Owner-Passw0rd', firstname: 'Olivia', lastname: 'Owner' };
const AUTHOR = { email: 'author@example.com', password: 'Author-Passw0rd', firstname: 'Arthur', lastname: 'Author' };
const READER = { email: 'auditor@example.com', password: 'Auditor-Passw0rd', firstname: 'Aude', lastname: 'Auditor' };
type AdminAccount = typeof SUPER;

const sim = new WeChatSimulator({ apps: [APP] });
let playground: RunningPlayground;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const responsesWithSecret: string[] = [];
const pendingBodies: Promise<void>[] = [];
let responsesChecked = 0;

async function newContext(): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'light' });
  // Hermetic: the admin may try to reach strapi.io, GitHub, analytics...; only loopback is allowed.
  await ctx.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    return hostname === '127.0.0.1' || hostname === 'localhost' ? route.continue() : route.abort();
  });
  ctx.on('response', (response: Response) => {
    pendingBodies.push(
      response
        .body()
        .then((body) => {
          responsesChecked += 1;
          if (body.includes(APP.appSecret)) responsesWithSecret.push(`${response.request().method()} ${response.url()}`);
        })
        .catch(() => undefined) // redirects and aborted requests have no body
    );
  });
  return ctx;
}

/** A full-page screenshot without focus rings, hover styles or running animations, so reruns give the same image. */
async function screenshot(name: string, p: Page = page) {
  await p.mouse.move(0, 0);
  await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await p.waitForTimeout(500); // hover and focus styles fade out with a CSS transition
  await p.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/** Strapi's toast notifications close themselves after 2.5 s: wait them out before a screenshot. */
const closeNotifications = (p: Page = page) => p.waitForTimeout(3000);

async function skipGuidedTour(p: Page) {
  const skip = p.getByRole('button', { name: /Skip the tour|跳过|Passer/ });
  if (await skip.isVisible({ timeout: 3000 }).catch(() => false)) await skip.click();
}

const maybe = runnable ? describe : describe.skip;

maybe('admin settings page in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const built = await ensurePlaygroundBuilt();
    if (built) console.log('built the playground admin (strapi build)');
    const wechatApiBaseUrl = await sim.start();
    playground = await startPlayground({ wechatApiBaseUrl, name: 'admin-e2e', preferredPort: 41337 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await newContext();
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await sim.stop();
  }, 60_000);

  test('registers the first admin', async () => {
    await page.goto(`${playground.url}/admin`);
    await page.waitForURL(/\/admin\/auth\/register-admin/);
    await page.fill('input[name="firstname"]', SUPER.firstname);
    await page.fill('input[name="lastname"]', SUPER.lastname);
    await page.fill('input[name="email"]', SUPER.email);
    await page.fill('input[name="password"]', SUPER.password);
    await page.fill('input[name="confirmPassword"]', SUPER.password);
    await page.getByRole('button', { name: "Let's start" }).click();
    await page.waitForURL((url) => !url.pathname.includes('/auth/'));
    await skipGuidedTour(page);
  });

  test('opens the page from PLUGINS in the menu: not configured yet', async () => {
    await page.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
    await expectText('h1', 'WeChat Mini Program Authenticator');
    await expectText('[data-testid="wechat-status"]', 'Not configured');
    await expectText('[data-testid="wechat-login-url"]', `POST ${playground.url}/strapi-wechat-miniprogram-auth/login`);
  });

  test('the same page is linked under Settings → Global settings', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('link', { name: 'WeChat Mini Program', exact: true }).click();
    await page.waitForURL('**/admin/settings/strapi-wechat-miniprogram-auth');
    await expectText('h1', 'WeChat Mini Program Authenticator');
    await expectText('[data-testid="wechat-status"]', 'Not configured');
    await page.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
  });

  test('checks the fields before saving', async () => {
    await page.fill('input[name="appId"]', 'wx123');
    await page.fill('input[name="appSecret"]', 'not-hex');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectText('body', 'The AppID is "wx" followed by 16 hexadecimal characters');
    await expectText('body', 'The AppSecret is 32 hexadecimal characters');
    await expectText('[data-testid="wechat-status"]', 'Not configured');
  });

  test('saves the credentials', async () => {
    await page.fill('input[name="appId"]', APP.appId);
    await page.fill('input[name="appSecret"]', APP.appSecret);
    const saved = page.waitForResponse((r) => r.url().endsWith('/strapi-wechat-miniprogram-auth/settings') && r.request().method() === 'PUT');
    await page.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBe(200);
    await expectText('[data-testid="wechat-status"]', 'Configured');
    await expectText('[data-testid="wechat-source"]', 'The admin panel (saved in the database)');
    expect(await page.inputValue('input[name="appSecret"]')).toBe('');
  });

  test('after a reload the secret shows only as its last 4 characters', async () => {
    await page.reload();
    await expectText('[data-testid="wechat-status"]', 'Configured');
    expect(await page.inputValue('input[name="appId"]')).toBe(APP.appId);
    expect(await page.inputValue('input[name="appSecret"]')).toBe('');
    const last4 = APP.appSecret.slice(-4);
    expect(await page.getAttribute('input[name="appSecret"]', 'placeholder')).toBe(`Stored secret ending in ${last4}`);
    await expectText('body', `A secret ending in ${last4} is stored.`);
    expect(await page.content()).not.toContain(APP.appSecret);
  });

  test('Test credentials: the stored ones are accepted by WeChat', async () => {
    const before = sim.getStats().stableToken;
    await page.getByRole('button', { name: 'Test credentials' }).click();
    await expectText('[data-testid="wechat-test-result"]', 'WeChat accepted the credentials.');
    await expectText('[data-testid="wechat-test-result"]', `AppID ${APP.appId} can sign users in.`);
    expect(sim.getStats().stableToken).toBe(before + 1);
    await closeNotifications();
    await screenshot('settings-en.png');
  });

  test('Test credentials: a wrong secret is refused, in words', async () => {
    await page.fill('input[name="appSecret"]', WRONG_SECRET);
    await page.getByRole('button', { name: 'Test credentials' }).click();
    await expectText('[data-testid="wechat-test-result"]', 'WeChat refused the credentials.');
    await expectText('[data-testid="wechat-test-result"]', `Invalid AppSecret: it does not belong to AppID ${APP.appId}.`);
    await closeNotifications();
    await screenshot('settings-en-wrong-secret.png');
    await page.fill('input[name="appSecret"]', '');
  });

  test('a mini program user logs in with the credentials saved in the browser', async () => {
    const code = sim.issueCode(APP.appId, 'e2e');
    const res = await fetch(`${playground.url}/strapi-wechat-miniprogram-auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { jwt?: string; token?: string; user: { openid: string } };
    expect(body.user.openid).toBe(sim.openidFor(APP.appId, 'e2e'));
  });

  test('in 中文 (简体), chosen in the profile, the page is in Chinese', async () => {
    await page.goto(`${playground.url}/admin/me`);
    await page.getByRole('combobox', { name: 'Interface language' }).click();
    await page.getByRole('option', { name: '中文 (简体)' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: '微信小程序登录' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
    await expectText('[data-testid="wechat-status"]', '已配置');
    await page.getByRole('button', { name: '测试凭证' }).click();
    await expectText('[data-testid="wechat-test-result"]', '微信已接受这些凭证。');
    await closeNotifications();
    await screenshot('settings-zh-Hans.png');
  });

  test('an Author admin does not see the link, and the page says "no permission"', async () => {
    const superToken = await adminToken(SUPER.email, SUPER.password);
    const roles = (await api('GET', '/admin/roles', superToken)).data as { id: number; code: string }[];
    await inviteAdmin(superToken, AUTHOR, roles.find((r) => r.code === 'strapi-author')!.id);

    await withAdminPage(AUTHOR, async (authorPage) => {
      expect(await authorPage.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).count()).toBe(0);
      const asked = authorPage.waitForResponse((r) => r.url().includes('/strapi-wechat-miniprogram-auth/settings'), { timeout: 3000 }).catch(() => null);
      await authorPage.goto(`${playground.url}${PAGE_PATH}`);
      await expectText('main', "You don't have the permissions to access that content", authorPage);
      // The page does not even ask (the admin's RBAC already says no); the API would answer 403.
      expect(await asked).toBeNull();
      const res = await fetch(`${playground.url}/strapi-wechat-miniprogram-auth/settings`, {
        headers: { Authorization: `Bearer ${await adminToken(AUTHOR.email, AUTHOR.password)}` },
      });
      expect(res.status).toBe(403);
      await closeNotifications(authorPage);
      await screenshot('settings-no-permission.png', authorPage);
    });
  });

  test('a role with only "Read settings" sees the page read-only (here in French)', async () => {
    const superToken = await adminToken(SUPER.email, SUPER.password);
    const role = (await api('POST', '/admin/roles', superToken, { name: 'WeChat auditor', description: 'reads the WeChat settings' })).data as { id: number };
    await api('PUT', `/admin/roles/${role.id}/permissions`, superToken, {
      permissions: [{ action: 'plugin::strapi-wechat-miniprogram-auth.settings.read', subject: null, properties: {}, conditions: [] }],
    });
    await inviteAdmin(superToken, READER, role.id);

    await withAdminPage(READER, async (readerPage) => {
      await readerPage.evaluate(() => localStorage.setItem('strapi-admin-language', 'fr'));
      await readerPage.reload();
      await readerPage.getByRole('link', { name: 'Authentification WeChat Mini Program' }).click();
      await readerPage.waitForURL(`**${PAGE_PATH}`);
      await expectText('[data-testid="wechat-status"]', 'Configuré', readerPage);
      await expectText('main', "Vous pouvez consulter ces paramètres mais pas les modifier", readerPage);
      expect(await readerPage.isDisabled('input[name="appId"]')).toBe(true);
      expect(await readerPage.isDisabled('input[name="appSecret"]')).toBe(true);
      expect(await readerPage.getByRole('button', { name: 'Tester les identifiants' }).isDisabled()).toBe(true);
      expect(await readerPage.getByRole('button', { name: 'Enregistrer' }).isDisabled()).toBe(true);
      await closeNotifications(readerPage);
      await screenshot('settings-fr-read-only.png', readerPage);
    });
  });

  test('no response to the browser carried the AppSecret, and neither did the server log', async () => {
    await Promise.all(pendingBodies);
    expect(responsesChecked).toBeGreaterThan(20);
    expect(responsesWithSecret).toEqual([]);
    expect(playground.output().includes(APP.appSecret)).toBe(false);
    expect(playground.output()).toContain(`credential check for AppID ${APP.appId}`);
  });
});

async function expectText(selector: string, text: string | RegExp, p: Page = page) {
  const locator = p.locator(selector).filter({ hasText: text }).first();
  await locator.waitFor({ state: 'visible' });
}

async function api(method: string, url: string, token?: string, body?: unknown): Promise<{ data: unknown }> {
  const res = await fetch(`${playground.url}${url}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { data: unknown };
}

/** Invites an admin with `roleId` (as Settings → Users does) and completes their registration. */
async function inviteAdmin(superToken: string, who: AdminAccount, roleId: number): Promise<void> {
  const { firstname, lastname, email, password } = who;
  const invited = (await api('POST', '/admin/users', superToken, { firstname, lastname, email, roles: [roleId] })).data as { registrationToken: string };
  await api('POST', '/admin/register', undefined, { registrationToken: invited.registrationToken, userInfo: { firstname, lastname, password } });
}

/** Logs `who` in through the login form in a browser context of their own, then runs `steps`. */
async function withAdminPage(who: AdminAccount, steps: (p: Page) => Promise<void>): Promise<void> {
  const ctx = await newContext();
  try {
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    await p.goto(`${playground.url}/admin/auth/login`);
    await p.fill('input[name="email"]', who.email);
    await p.fill('input[name="password"]', who.password);
    await p.getByRole('button', { name: 'Login' }).click();
    await p.waitForURL((url) => !url.pathname.includes('/auth/'));
    await skipGuidedTour(p);
    await p.getByRole('navigation').first().waitFor();
    await steps(p);
  } finally {
    await Promise.all(pendingBodies); // read every body before the context goes away
    await ctx.close();
  }
}

async function adminToken(email: string, password: string): Promise<string> {
  return ((await api('POST', '/admin/login', undefined, { email, password })).data as { token: string }).token;
}
