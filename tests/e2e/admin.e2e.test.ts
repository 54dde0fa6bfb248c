/**
 * The settings page in a real browser: Debian's chromium driven by playwright-core, against the
 * playground (`strapi start`, admin built) and the WeChat simulator, everything on 127.0.0.1.
 *
 * A newcomer's path: register the first admin, open PLUGINS → WeChat Mini Program Authenticator.
 * One app is set in config/plugins (AppID and name, no secret): it is listed read-only and its
 * AppSecret is entered on the page (format checked first); after a reload the secret shows only
 * as its last 4 characters; its credentials are tested and a mini program user logs in with it.
 * Then a second app is added from the page (format checks, a server error shown on its field,
 * credentials tested before saving), renamed, tested with a wrong secret (refused), made the
 * default (a login without appId now lands in it), shown in 中文, hidden from an Author admin
 * ("no permission"), shown read-only to a role with only "Read settings" (in French), and
 * removed: the confirmation says what becomes of its identities, its logins are refused, and
 * adding it again brings the same user back. No response to the browser and no server log line
 * may carry a secret. Screenshots go to docs/screenshots/.
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
import { ensurePlaygroundBuilt, registerFirstAdmin, REPO_ROOT, RunningPlayground, skipGuidedTour, startPlayground } from './playground';
import { downloadCsv, fetchActivity, fetchActivityCsv, legendForToday, shownTotal, totalsOf, waitForCanvas } from './activity-panel';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
const PAGE_PATH = '/admin/plugins/strapi-wechat-miniprogram-auth';
const API = '/strapi-wechat-miniprogram-auth';

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

// Mini programs of our own. The secrets are random (any occurrence of one is a leak) except for
// their last 4 characters, which the page shows: with the fixed AppIDs, the screenshots stay the same.
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** Set in config/plugins (WECHAT_APPS) with its name but no secret: the secret is entered on the page. */
const TEA = { appId: 'wx5f1c0a9d3b7e2468', name: 'Tea House', appSecret: `${hex(14)}c0de` };
/** Added from the page. */
const COFFEE = { appId: 'wx9a8b7c6d5e4f3021', name: 'Coffee Club', renamed: 'Coffee Club (beta)', appSecret: `${hex(14)}beef` };
const WRONG_SECRET = hex(16);
const SECRETS = [TEA.appSecret, COFFEE.appSecret, WRONG_SECRET];
const SUPER = { email: 'owner@example.com', password: 'Owner-Passw0rd', firstname: 'Olivia', lastname: 'Owner' };
const AUTHOR = { email: 'author@example.com', password: 'Author-Passw0rd', firstname: 'Arthur', lastname: 'Author' };
const READER = { email: 'auditor@example.com', password: 'Auditor-Passw0rd', firstname: 'Aude', lastname: 'Auditor' };
type AdminAccount = typeof SUPER;

const sim = new WeChatSimulator({ apps: [TEA, COFFEE].map(({ appId, appSecret }) => ({ appId, appSecret })) });
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
          if (SECRETS.some((secret) => body.includes(secret))) responsesWithSecret.push(`${response.request().method()} ${response.url()}`);
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

const maybe = runnable ? describe : describe.skip;

/** The row of an app in the list. */
const row = (appId: string, p: Page = page) => p.getByTestId(`wechat-app-${appId}`);
/** The add / edit form (a modal). */
const form = (p: Page = page) => p.getByTestId('wechat-app-form');

/** The error shown under a form field, or null. */
async function fieldError(name: string, p: Page = page): Promise<string | null> {
  const id = await form(p).locator(`input[name="${name}"]`).getAttribute('id');
  const error = p.locator(`[id="${id}-error"]`);
  return (await error.count()) ? ((await error.textContent()) ?? '') : null;
}

/** Waits for the answer of the plugin's admin API call `method path` that `action` causes. */
async function apiCall(method: string, pathname: string, action: () => Promise<unknown>, p: Page = page): Promise<Response> {
  const answered = p.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === `${API}${pathname}`);
  await action();
  return answered;
}

interface LoginAnswer {
  user?: { id: number; openid: string };
  error?: { message: string };
}

async function login(body: Record<string, unknown>): Promise<{ status: number; body: LoginAnswer }> {
  const res = await fetch(`${playground.url}${API}/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as LoginAnswer };
}

maybe('admin settings page in Chromium', () => {
  /** The first user who logged in with each app (by AppID): the identities the removal dialog talks about. */
  const firstUser: Record<string, number> = {};

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const built = await ensurePlaygroundBuilt();
    if (built) console.log('built the playground admin (strapi build)');
    const wechatApiBaseUrl = await sim.start();
    playground = await startPlayground({
      wechatApiBaseUrl,
      name: 'admin-e2e',
      preferredPort: 41337,
      env: { WECHAT_APPS: JSON.stringify([{ appId: TEA.appId, name: TEA.name }]) },
    });
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
    await registerFirstAdmin(page, playground.url, SUPER);
  });

  test('opens the page from PLUGINS in the menu: the app from config is listed read-only, without a secret yet', async () => {
    await page.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
    await expectText('h1', 'WeChat Mini Program Authenticator');
    await expectText('[data-testid="wechat-status"]', 'Not configured');
    await expectText('[data-testid="wechat-login-url"]', `POST ${playground.url}${API}/login`);
    await expectText('[data-testid="wechat-default-app"]', TEA.name);
    await expectText('[data-testid="wechat-default-app"]', 'The first app in the list (none chosen)');

    const tea = row(TEA.appId);
    await expect(tea.textContent()).resolves.toContain(TEA.name);
    await expectText('[data-testid="wechat-app-' + TEA.appId + '"]', 'Not set');
    await expectText('[data-testid="wechat-app-' + TEA.appId + '"]', 'config/plugins');
    expect(await tea.getByTestId('wechat-default-badge').textContent()).toBe('Default');
    expect(await page.locator('[data-testid^="wechat-app-"]').count()).toBe(1);
    await expectText('main', 'Apps set in config/plugins (for example from environment variables) are shown read-only');
    // Not removable; already the default; nothing to test without a secret; but its secret can be entered.
    expect(await tea.getByRole('button', { name: `${TEA.name} is set in config/plugins and cannot be removed here` }).isDisabled()).toBe(true);
    expect(await tea.getByRole('button', { name: `${TEA.name} is the default app` }).isDisabled()).toBe(true);
    expect(await tea.getByRole('button', { name: `Test the credentials of ${TEA.name}` }).isDisabled()).toBe(true);
    expect(await tea.getByRole('button', { name: `Edit ${TEA.name}` }).isEnabled()).toBe(true);
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

  test('the config app: AppID and name read-only, its AppSecret entered on the page (format checked first)', async () => {
    await row(TEA.appId)
      .getByRole('button', { name: `Edit ${TEA.name}` })
      .click();
    await expectText('[data-testid="wechat-app-form"] h2', `Edit ${TEA.name}`);
    expect(await form().locator('input[name="appId"]').inputValue()).toBe(TEA.appId);
    expect(await form().locator('input[name="appId"]').isDisabled()).toBe(true);
    expect(await form().locator('input[name="name"]').inputValue()).toBe(TEA.name);
    expect(await form().locator('input[name="name"]').isDisabled()).toBe(true);
    expect(await form().locator('input[name="appSecret"]').isEnabled()).toBe(true);

    await form().locator('input[name="appSecret"]').fill('not-hex');
    await form().getByRole('button', { name: 'Save' }).click();
    expect(await fieldError('appSecret')).toBe('The AppSecret is 32 hexadecimal characters');

    await form().locator('input[name="appSecret"]').fill(TEA.appSecret);
    const saved = await apiCall('PUT', `/settings/apps/${TEA.appId}`, () => form().getByRole('button', { name: 'Save' }).click());
    expect(saved.status()).toBe(200);
    expect(saved.request().postDataJSON()).toEqual({ appSecret: TEA.appSecret });
    await form().waitFor({ state: 'detached' });
    await expectText('[data-testid="wechat-status"]', 'Configured');
    await expectText(`[data-testid="wechat-app-${TEA.appId}"]`, `••••${TEA.appSecret.slice(-4)}`);
    await expectText(`[data-testid="wechat-app-${TEA.appId}"]`, 'config/plugins, AppSecret from the admin panel');
    expect(
      await row(TEA.appId)
        .getByRole('button', { name: `${TEA.name} is set in config/plugins and cannot be removed here` })
        .isDisabled()
    ).toBe(true);
  });

  test('after a reload the secret shows only as its last 4 characters; the edit form starts empty', async () => {
    await page.reload();
    await expectText('[data-testid="wechat-status"]', 'Configured');
    const last4 = TEA.appSecret.slice(-4);
    await expectText(`[data-testid="wechat-app-${TEA.appId}"]`, `••••${last4}`);
    expect(await page.content()).not.toContain(TEA.appSecret);
    await row(TEA.appId)
      .getByRole('button', { name: `Edit ${TEA.name}` })
      .click();
    expect(await form().locator('input[name="appSecret"]').inputValue()).toBe('');
    expect(await form().locator('input[name="appSecret"]').getAttribute('placeholder')).toBe(`Secret set, ending in ${last4}`);
    await expectText('[data-testid="wechat-app-form"]', `A secret ending in ${last4} is set. Leave this field empty to keep it`);
    expect(await form().getByRole('button', { name: 'Save' }).isDisabled()).toBe(true); // nothing changed
    await form().getByRole('button', { name: 'Cancel' }).click();
    await form().waitFor({ state: 'detached' });
  });

  test('Test credentials of the config app: accepted by WeChat', async () => {
    const before = sim.getStats().stableToken;
    const tested = await apiCall('POST', '/settings/test', () =>
      row(TEA.appId)
        .getByRole('button', { name: `Test the credentials of ${TEA.name}` })
        .click()
    );
    expect(tested.request().postDataJSON()).toEqual({ appId: TEA.appId });
    await expectText('[data-testid="wechat-test-result"]', 'WeChat accepted the credentials.');
    await expectText('[data-testid="wechat-test-result"]', `AppID ${TEA.appId} can sign users in.`);
    expect(sim.getStats().stableToken).toBe(before + 1);
  });

  test('a mini program user logs in with the secret saved in the browser (no appId: the default app)', async () => {
    const res = await login({ code: sim.issueCode(TEA.appId, 'tea1') });
    expect(res.status).toBe(200);
    expect(res.body.user!.openid).toBe(sim.openidFor(TEA.appId, 'tea1'));
    firstUser[TEA.appId] = res.body.user!.id;
  });

  test('adds a second app from the page: format checks, a server error on its field, credentials tested before saving', async () => {
    await page.getByRole('button', { name: 'Add an app' }).click();
    await expectText('[data-testid="wechat-app-form"] h2', 'Add a mini program');
    await form().locator('input[name="appId"]').fill('wx123');
    await form().locator('input[name="appSecret"]').fill('not-hex');
    await form().getByRole('button', { name: 'Add the app' }).click();
    expect(await fieldError('appId')).toBe('The AppID is "wx" followed by 16 hexadecimal characters');
    expect(await fieldError('appSecret')).toBe('The AppSecret is 32 hexadecimal characters');
    await form().getByRole('button', { name: 'Test credentials' }).click();
    expect(await fieldError('appId')).not.toBeNull(); // not sent to WeChat either

    // Already listed (from config): the server says so, on the AppID field.
    await form().locator('input[name="appId"]').fill(TEA.appId);
    await form().locator('input[name="appSecret"]').fill(COFFEE.appSecret);
    const refused = await apiCall('POST', '/settings/apps', () => form().getByRole('button', { name: 'Add the app' }).click());
    expect(refused.status()).toBe(400);
    expect(await fieldError('appId')).toBe('This AppID is already in the list.'); // the server's reason, in the admin's language
    expect(await fieldError('appSecret')).toBeNull();

    await form().locator('input[name="appId"]').fill(COFFEE.appId);
    expect(await fieldError('appId')).toBeNull(); // typing clears it
    await form().locator('input[name="name"]').fill(COFFEE.name);
    const before = sim.getStats().stableToken;
    const tested = await apiCall('POST', '/settings/test', () => form().getByRole('button', { name: 'Test credentials' }).click());
    expect(tested.request().postDataJSON()).toEqual({ appId: COFFEE.appId, appSecret: COFFEE.appSecret });
    await expectText('[data-testid="wechat-app-form"] [data-testid="wechat-test-result"]', `AppID ${COFFEE.appId} can sign users in.`);
    expect(sim.getStats().stableToken).toBe(before + 1);
    expect(await row(COFFEE.appId).count()).toBe(0); // nothing saved by a test

    const added = await apiCall('POST', '/settings/apps', () => form().getByRole('button', { name: 'Add the app' }).click());
    expect(added.status()).toBe(200);
    expect(added.request().postDataJSON()).toEqual({ appId: COFFEE.appId, name: COFFEE.name, appSecret: COFFEE.appSecret });
    await form().waitFor({ state: 'detached' });
    const coffee = row(COFFEE.appId);
    await coffee.waitFor();
    const text = await coffee.textContent();
    for (const part of [COFFEE.name, COFFEE.appId, `••••${COFFEE.appSecret.slice(-4)}`, 'Admin panel', '0']) expect(text).toContain(part);
    expect(await coffee.getByTestId('wechat-default-badge').count()).toBe(0);
    expect(await coffee.getByRole('button', { name: `Remove ${COFFEE.name}` }).isEnabled()).toBe(true);
    // The list keeps the config app first.
    expect(await page.locator('[data-testid^="wechat-app-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')))).toEqual([
      `wechat-app-${TEA.appId}`,
      `wechat-app-${COFFEE.appId}`,
    ]);
  });

  test('renames it', async () => {
    await row(COFFEE.appId)
      .getByRole('button', { name: `Edit ${COFFEE.name}` })
      .click();
    expect(await form().locator('input[name="appId"]').isDisabled()).toBe(true);
    await form().locator('input[name="name"]').fill(COFFEE.renamed);
    const saved = await apiCall('PUT', `/settings/apps/${COFFEE.appId}`, () => form().getByRole('button', { name: 'Save' }).click());
    expect(saved.status()).toBe(200);
    expect(saved.request().postDataJSON()).toEqual({ name: COFFEE.renamed }); // the empty secret field keeps the secret
    await form().waitFor({ state: 'detached' });
    await expectText(`[data-testid="wechat-app-${COFFEE.appId}"]`, COFFEE.renamed);
    await expectText(`[data-testid="wechat-app-${COFFEE.appId}"]`, `••••${COFFEE.appSecret.slice(-4)}`);
  });

  test('Test credentials with a wrong secret: refused, in words, and nothing saved', async () => {
    await row(COFFEE.appId)
      .getByRole('button', { name: `Edit ${COFFEE.renamed}` })
      .click();
    await form().locator('input[name="appSecret"]').fill(WRONG_SECRET);
    const tested = await apiCall('POST', '/settings/test', () => form().getByRole('button', { name: 'Test credentials' }).click());
    expect(tested.request().postDataJSON()).toEqual({ appId: COFFEE.appId, appSecret: WRONG_SECRET });
    await expectText('[data-testid="wechat-test-result"]', 'WeChat refused the credentials.');
    await expectText('[data-testid="wechat-test-result"]', `Invalid AppSecret: it does not belong to AppID ${COFFEE.appId}.`);
    await closeNotifications();
    await screenshot('settings-en-wrong-secret.png');
    await form().getByRole('button', { name: 'Cancel' }).click();
    await form().waitFor({ state: 'detached' });
    await expectText(`[data-testid="wechat-app-${COFFEE.appId}"]`, `••••${COFFEE.appSecret.slice(-4)}`);
  });

  test('makes it the default app: a login without appId now lands in it', async () => {
    const saved = await apiCall('PUT', '/settings/default', () =>
      row(COFFEE.appId)
        .getByRole('button', { name: `Make ${COFFEE.renamed} the default app` })
        .click()
    );
    expect(saved.status()).toBe(200);
    expect(saved.request().postDataJSON()).toEqual({ appId: COFFEE.appId });
    await row(COFFEE.appId).getByTestId('wechat-default-badge').waitFor();
    expect(await row(TEA.appId).getByTestId('wechat-default-badge').count()).toBe(0);
    await expectText('[data-testid="wechat-default-app"]', COFFEE.renamed);
    await expectText('[data-testid="wechat-default-app"]', 'Chosen in the admin panel');

    const coffeeLogin = await login({ code: sim.issueCode(COFFEE.appId, 'coffee1') });
    expect(coffeeLogin.status).toBe(200);
    expect(coffeeLogin.body.user!.openid).toBe(sim.openidFor(COFFEE.appId, 'coffee1'));
    firstUser[COFFEE.appId] = coffeeLogin.body.user!.id;
    const teaLogin = await login({ code: sim.issueCode(TEA.appId, 'tea1'), appId: TEA.appId });
    expect(teaLogin.status).toBe(200);
    expect(teaLogin.body.user!.id).toBe(firstUser[TEA.appId]);
  });

  test('each app counts its identities; Test credentials per app', async () => {
    await page.reload();
    const identities = async (appId: string) => (await row(appId).locator('td').nth(4).textContent())?.trim();
    await row(COFFEE.appId).waitFor();
    expect(await identities(TEA.appId)).toBe('1');
    expect(await identities(COFFEE.appId)).toBe('1');
    await row(COFFEE.appId)
      .getByRole('button', { name: `Test the credentials of ${COFFEE.renamed}` })
      .click();
    await expectText('[data-testid="wechat-test-result"]', `AppID ${COFFEE.appId} can sign users in.`);
    await closeNotifications();
    await screenshot('settings-en.png');
  });

  test('Activity: logins and WeChat errors per day as charts (canvas), their numbers those the server stored, per period and app, as CSV', async () => {
    const token = await adminToken(SUPER.email, SUPER.password);
    const before = totalsOf(await fetchActivity(playground.url, token, 'days=30'));
    // Through the simulator: a new user and two returning logins, and three codes WeChat refuses.
    for (const [appId, user] of [
      [TEA.appId, 'tea2'],
      [TEA.appId, 'tea1'],
      [COFFEE.appId, 'coffee1'],
    ]) {
      expect((await login({ code: sim.issueCode(appId, user), appId })).status).toBe(200);
    }
    for (const [appId, fault] of [
      [COFFEE.appId, 'err40029'],
      [COFFEE.appId, 'err40029'],
      [TEA.appId, 'err-1'],
    ]) {
      await login({ code: `fault_${fault}_${randomBytes(4).toString('hex')}`, appId });
    }
    const after = totalsOf(await fetchActivity(playground.url, token, 'days=30'));
    expect({ new: after.new - before.new, returning: after.returning - before.returning }).toEqual({ new: 1, returning: 2 });
    expect({ '40029': after['40029'] - (before['40029'] ?? 0), '-1': after['-1'] - (before['-1'] ?? 0) }).toEqual({ '40029': 2, '-1': 1 });

    await apiCall('GET', '/activity', () => page.reload());
    await page.getByTestId('wechat-activity').scrollIntoViewIfNeeded();
    expect((await waitForCanvas(page, 'logins')).width).toBeGreaterThan(300);
    expect((await waitForCanvas(page, 'errors')).width).toBeGreaterThan(300);
    expect(await shownTotal(page, 'logins', 'new')).toBe(after.new);
    expect(await shownTotal(page, 'logins', 'returning')).toBe(after.returning);
    expect(await shownTotal(page, 'errors', '40029')).toBe(after['40029']);
    expect(await shownTotal(page, 'errors', '-1')).toBe(after['-1']);
    // Every login of this test is today's: the legend of the last day shows today's numbers.
    const today = await fetchActivity(playground.url, token, 'days=7');
    const todays = totalsOf({
      ...today,
      logins: today.logins.filter((r) => r.day === today.days[6]),
      errors: today.errors.filter((r) => r.day === today.days[6]),
    });
    expect(await legendForToday(page, 'logins')).toMatchObject({ New: String(todays.new), Returning: String(todays.returning) });
    expect(await legendForToday(page, 'errors')).toMatchObject({ 'errcode 40029': String(todays['40029']), 'errcode -1': String(todays['-1']) });

    // 7 days, one app.
    await apiCall('GET', '/activity', () => page.getByTestId('wechat-activity-days-7').click());
    await page.getByRole('combobox', { name: 'App' }).click();
    await apiCall('GET', '/activity', () => page.getByRole('option', { name: `${COFFEE.renamed} (${COFFEE.appId})` }).click());
    const coffee = totalsOf(await fetchActivity(playground.url, token, `days=7&appId=${COFFEE.appId}`));
    await page
      .getByTestId('wechat-activity-errors-total-40029')
      .filter({ hasText: String(coffee['40029']) })
      .waitFor();
    expect(await shownTotal(page, 'logins', 'returning')).toBe(coffee.returning);
    expect(await shownTotal(page, 'errors', '-1')).toBeNull();

    const csv = await downloadCsv(page, 'logins');
    expect(csv.filename).toMatch(new RegExp(`^wechat-logins-\\d{4}-\\d{2}-\\d{2}-to-\\d{4}-\\d{2}-\\d{2}-${COFFEE.appId}\\.csv$`));
    expect(csv.text).toBe(await fetchActivityCsv(playground.url, token, `days=7&appId=${COFFEE.appId}&series=logins`));
    expect(csv.text.split('\r\n')[0]).toBe('day,app_id,new,returning');
    const errorsCsv = await downloadCsv(page, 'errors');
    expect(errorsCsv.text).toBe(await fetchActivityCsv(playground.url, token, `days=7&appId=${COFFEE.appId}&series=errors`));
    await apiCall('GET', '/activity', () => page.getByTestId('wechat-activity-days-30').click());
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot('activity-en.png');
  });

  test('in 中文 (简体), chosen in the profile, the page is in Chinese', async () => {
    await page.goto(`${playground.url}/admin/me`);
    await page.getByRole('combobox', { name: 'Interface language' }).click();
    await page.getByRole('option', { name: '中文 (简体)' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: '微信小程序登录' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
    await expectText('[data-testid="wechat-status"]', '已配置');
    await expectText(`[data-testid="wechat-app-${COFFEE.appId}"]`, '默认');
    await row(TEA.appId)
      .getByRole('button', { name: `测试 ${TEA.name} 的凭证` })
      .click();
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
      const asked = authorPage.waitForResponse((r) => r.url().includes(`${API}/settings`), { timeout: 3000 }).catch(() => null);
      await authorPage.goto(`${playground.url}${PAGE_PATH}`);
      await expectText('main', "You don't have the permissions to access that content", authorPage);
      // The page does not even ask (the admin's RBAC already says no); the API would answer 403.
      expect(await asked).toBeNull();
      const authorToken = await adminToken(AUTHOR.email, AUTHOR.password);
      const res = await fetch(`${playground.url}${API}/settings`, { headers: { Authorization: `Bearer ${authorToken}` } });
      expect(res.status).toBe(403);
      await closeNotifications(authorPage);
      await screenshot('settings-no-permission.png', authorPage);
    });
  });

  test('a role with only "Read settings" sees the apps read-only (here in French)', async () => {
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
      await expectText('main', 'Vous pouvez consulter ces paramètres mais pas les modifier', readerPage);
      await expectText(`[data-testid="wechat-app-${COFFEE.appId}"]`, COFFEE.renamed, readerPage);
      expect(await readerPage.getByRole('button', { name: 'Ajouter une application' }).isDisabled()).toBe(true);
      // No "Read login activity": no Activity panel, and the API agrees.
      expect(await readerPage.getByTestId('wechat-activity').count()).toBe(0);
      const buttons = readerPage.locator('[data-testid^="wechat-app-"]').getByRole('button');
      expect(await buttons.count()).toBe(8);
      for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
      const coffee = row(COFFEE.appId, readerPage);
      for (const name of [`Tester les identifiants de ${COFFEE.renamed}`, `Modifier ${COFFEE.renamed}`, `Supprimer ${COFFEE.renamed}`]) {
        expect(await coffee.getByRole('button', { name }).isDisabled()).toBe(true);
      }
      await closeNotifications(readerPage);
      await screenshot('settings-fr-read-only.png', readerPage);
      // The API agrees: reading yes, changing no.
      const readerToken = await adminToken(READER.email, READER.password);
      const res = await fetch(`${playground.url}${API}/settings/apps/${COFFEE.appId}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${readerToken}` },
      });
      expect(res.status).toBe(403);
      const activity = await fetch(`${playground.url}${API}/activity`, { headers: { Authorization: `Bearer ${readerToken}` } });
      expect(activity.status).toBe(403);
    });
  });

  test('removes the second app: the confirmation says what becomes of its identities; its logins are refused until it is added again', async () => {
    // Back to English, in the profile (the language saved there wins over the browser's choice).
    await page.goto(`${playground.url}/admin/me`);
    await page.getByRole('combobox', { name: '界面语言' }).click();
    await page.getByRole('option', { name: 'English' }).click();
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).click();
    await page.waitForURL(`**${PAGE_PATH}`);
    await expectText('h1', 'WeChat Mini Program Authenticator');
    await closeNotifications();

    // Cancel first: nothing happens.
    await row(COFFEE.appId)
      .getByRole('button', { name: `Remove ${COFFEE.renamed}` })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Remove this app?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(COFFEE.appId).waitFor();

    await row(COFFEE.appId)
      .getByRole('button', { name: `Remove ${COFFEE.renamed}` })
      .click();
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(`${COFFEE.renamed} (${COFFEE.appId}) will be removed from this list.`);
    expect(text).toContain("1 identity (a user's login with this AppID) is recorded. It stays: that user keeps their account.");
    expect(text).toContain('Logins from this AppID are refused until it is added again');
    await screenshot('settings-en-remove.png');
    const removed = await apiCall('DELETE', `/settings/apps/${COFFEE.appId}`, () => dialog.getByRole('button', { name: 'Remove', exact: true }).click());
    expect(removed.status()).toBe(200);
    await dialog.waitFor({ state: 'detached' });
    await row(COFFEE.appId).waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid^="wechat-app-"]').count()).toBe(1);
    await row(TEA.appId).getByTestId('wechat-default-badge').waitFor();
    await expectText('[data-testid="wechat-default-app"]', TEA.name);

    const refused = await login({ code: sim.issueCode(COFFEE.appId, 'coffee1'), appId: COFFEE.appId });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toContain(COFFEE.appId);

    // Added again (here through the API): the same identity logs in to the same account.
    const superToken = await adminToken(SUPER.email, SUPER.password);
    await api('POST', `${API}/settings/apps`, superToken, { appId: COFFEE.appId, name: COFFEE.name, appSecret: COFFEE.appSecret });
    const back = await login({ code: sim.issueCode(COFFEE.appId, 'coffee1'), appId: COFFEE.appId });
    expect(back.status).toBe(200);
    expect(back.body.user!.id).toBe(firstUser[COFFEE.appId]);
  });

  test('no response to the browser carried an AppSecret, and neither did the server log', async () => {
    await Promise.all(pendingBodies);
    expect(responsesChecked).toBeGreaterThan(20);
    expect(responsesWithSecret).toEqual([]);
    for (const secret of SECRETS) expect(playground.output().includes(secret)).toBe(false);
    expect(playground.output()).toContain(`credential check for AppID ${TEA.appId}`);
    expect(playground.output()).toContain(`credential check for AppID ${COFFEE.appId}`);
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
