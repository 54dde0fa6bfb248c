/**
 * The WeChat users view in a real browser, the same steps on Strapi 4 (admin-users.e2e.test.ts, the playground) and
 * Strapi 5 (strapi5-admin.test.ts): the page is one codebase, so are its browser tests. Each major's test file boots
 * its Strapi, signs the Super Admin in, and calls usersViewTests() inside its describe block.
 *
 * A person logs in from two mini programs bound to one Open Platform account (one user, two identities), with a phone
 * number and a nickname. The Super Admin finds them by openid and by phone number, sees both identities, clears the
 * nickname and detaches one identity (each confirmed first). A role with only "Read WeChat users" sees the view with
 * every action disabled (and the API refuses it); a role without it has no menu entry, the page says "no permission"
 * and the API answers 403.
 */
import { Browser, Page, Response } from 'playwright-core';
import type { WeChatSimulator } from '../../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const API = `/${PLUGIN}`;
export const USERS_PAGE_PATH = `/admin/plugins/${PLUGIN}-users`;
const ACTION = (name: string) => `plugin::${PLUGIN}.${name}`;

export interface AdminAccount {
  email: string;
  password: string;
  firstname: string;
  lastname: string;
}

export interface UsersViewEnv {
  baseUrl: string;
  sim: WeChatSimulator;
  browser: Browser;
  /** The Super Admin's page, signed in. */
  page: Page;
  superAdmin: AdminAccount;
  /** Two apps of the Strapi's app list, bound to one Open Platform account in the simulator. */
  apps: [{ appId: string; name: string }, { appId: string; name: string }];
  /** Where to save a screenshot of the card after the actions (docs/screenshots/), if anywhere. */
  screenshot?: string;
}

export async function adminApi(baseUrl: string, method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; data: unknown }> {
  const res = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => null)) as { data?: unknown } | null;
  return { status: res.status, data: json?.data };
}

async function ok(baseUrl: string, method: string, url: string, token?: string, body?: unknown): Promise<unknown> {
  const res = await adminApi(baseUrl, method, url, token, body);
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}`);
  return res.data;
}

export async function adminToken(baseUrl: string, who: AdminAccount): Promise<string> {
  return ((await ok(baseUrl, 'POST', '/admin/login', undefined, { email: who.email, password: who.password })) as { token: string }).token;
}

/** A role holding exactly `actions`, and an admin with it (invited, then registered as Settings → Users does). */
async function adminWithActions(baseUrl: string, superToken: string, who: AdminAccount, roleName: string, actions: string[]): Promise<void> {
  const role = (await ok(baseUrl, 'POST', '/admin/roles', superToken, { name: roleName, description: roleName })) as { id: number };
  await ok(baseUrl, 'PUT', `/admin/roles/${role.id}/permissions`, superToken, {
    permissions: actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] })),
  });
  const { firstname, lastname, email, password } = who;
  const invited = (await ok(baseUrl, 'POST', '/admin/users', superToken, { firstname, lastname, email, roles: [role.id] })) as { registrationToken: string };
  await ok(baseUrl, 'POST', '/admin/register', undefined, { registrationToken: invited.registrationToken, userInfo: { firstname, lastname, password } });
}

/** `who` signed in through the login form, in a browser context of their own (loopback only). */
async function signedIn(env: UsersViewEnv, who: AdminAccount): Promise<Page> {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'light' });
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    return hostname === '127.0.0.1' || hostname === 'localhost' ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${env.baseUrl}/admin/auth/login`);
  await page.fill('input[name="email"]', who.email);
  await page.fill('input[name="password"]', who.password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/'));
  const skip = page.getByRole('button', { name: /Skip/ });
  if (await skip.isVisible({ timeout: 3000 }).catch(() => false)) await skip.click();
  await page.getByRole('navigation').first().waitFor();
  return page;
}

async function wechatLogin(env: UsersViewEnv, user: string, appId: string, extra: Record<string, unknown> = {}): Promise<{ user: { id: number } }> {
  const res = await fetch(`${env.baseUrl}${API}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: env.sim.issueCode(appId, user), appId, ...extra }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { user: { id: number } };
}

async function openUsersView(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'WeChat users', exact: true }).click();
  await page.waitForURL(`**${USERS_PAGE_PATH}`);
  await page.locator('h1', { hasText: 'WeChat users' }).waitFor();
}

/** Waits for the answer of the plugin's admin API call `method path` that `action` causes. */
async function apiCall(page: Page, method: string, pathname: string | RegExp, action: () => Promise<unknown>): Promise<Response> {
  const matches = (path: string) => (typeof pathname === 'string' ? path === `${API}${pathname}` : pathname.test(path.slice(API.length)));
  const answered = page.waitForResponse((r) => r.request().method() === method && matches(new URL(r.url()).pathname));
  await action();
  return answered;
}

async function search(page: Page, term: string): Promise<Response> {
  await page.getByTestId('wechat-user-search').locator('input[name="term"]').fill(term);
  return apiCall(page, 'POST', '/users/search', () => page.getByTestId('wechat-user-search').getByRole('button', { name: 'Search' }).click());
}

/** Confirms the action the dialog asks about; the API's answer. */
async function confirm(page: Page, pathname: string | RegExp): Promise<Response> {
  await page.getByTestId('wechat-user-dialog').waitFor();
  const answer = await apiCall(page, 'POST', pathname, () => page.getByTestId('wechat-user-confirm').click());
  await page.getByTestId('wechat-user-dialog').waitFor({ state: 'detached' });
  return answer;
}

/** The WeChat users view's browser tests, inside the calling file's describe block (after its Super Admin signed in). */
export function usersViewTests(getEnv: () => UsersViewEnv): void {
  const PHONE = '13800001234';
  let personId = 0;
  const identityRow = (page: Page, appId: string) => page.getByTestId('wechat-user-card').getByTestId(`wechat-identity-${appId}`);

  test('WeChat users: finds a person by openid and by phone number, and sees their identities in each app', async () => {
    const env = getEnv();
    const [first, second] = env.apps;
    const phoneCode = env.sim.issuePhoneCode(first.appId, 'uma', PHONE);
    personId = (await wechatLogin(env, 'uma', first.appId, { userInfo: { nickName: 'Uma from WeChat' }, phoneCode })).user.id;
    expect((await wechatLogin(env, 'uma', second.appId)).user.id).toBe(personId);

    const { page } = env;
    await page.goto(`${env.baseUrl}/admin`);
    await openUsersView(page);
    const byOpenid = await search(page, env.sim.openidFor(first.appId, 'uma'));
    expect(byOpenid.status()).toBe(200);
    const row = page.getByTestId(`wechat-user-row-${personId}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('openid');

    const byPhone = await search(page, PHONE);
    expect(byPhone.status()).toBe(200);
    expect(byPhone.request().postDataJSON()).toEqual({ term: PHONE }); // in the body, not the URL
    await row.filter({ hasText: 'phone number' }).waitFor();
    expect(await row.textContent()).toContain('138****1234');
    expect(await byPhone.text()).not.toContain(PHONE);

    await apiCall(page, 'GET', `/users/${personId}`, () => row.getByRole('button', { name: 'Open' }).click());
    const card = page.getByTestId('wechat-user-card');
    await card.waitFor();
    for (const app of [first, second]) {
      const identity = identityRow(page, app.appId);
      await identity.waitFor();
      expect(await identity.textContent()).toContain(app.name);
      expect(await identity.textContent()).toContain(env.sim.openidFor(app.appId, 'uma'));
    }
    expect(await card.getByTestId('wechat-user-phone').textContent()).toContain('138****1234');
    expect(await card.getByTestId('wechat-user-nickname').textContent()).toContain('Uma from WeChat');
    expect(await card.getByTestId('wechat-user-cm-link').getAttribute('href')).toContain('plugin::users-permissions.user/');
  });

  test('WeChat users: clears the nickname after a confirmation; the card shows it and the action', async () => {
    const { page } = getEnv();
    const card = page.getByTestId('wechat-user-card');
    await card.getByTestId('wechat-user-clear-nickname').click();
    const cleared = await confirm(page, `/users/${personId}/clear-nickname`);
    expect(cleared.status()).toBe(200);
    await card.getByTestId('wechat-user-nickname').filter({ hasText: 'None' }).waitFor();
    await card.getByTestId('wechat-user-audit').filter({ hasText: 'Clear nickname' }).waitFor();
    expect(await card.getByTestId('wechat-user-clear-nickname').isDisabled()).toBe(true); // nothing left to clear
  });

  test('WeChat users: detaches one identity after a confirmation; the other stays', async () => {
    const env = getEnv();
    const [first, second] = env.apps;
    const { page } = env;
    await identityRow(page, second.appId).getByTestId('wechat-identity-detach').click();
    expect(await page.getByTestId('wechat-user-dialog').textContent()).toContain(second.name);
    const detached = await confirm(page, new RegExp(`^/users/${personId}/identities/\\d+/detach$`));
    expect(detached.status()).toBe(200);
    await identityRow(page, second.appId).waitFor({ state: 'detached' });
    await identityRow(page, first.appId).waitFor();
    if (env.screenshot) {
      await page.mouse.move(0, 0);
      await page.waitForTimeout(3000); // the notifications close themselves
      await page.screenshot({ path: env.screenshot, fullPage: true, animations: 'disabled', caret: 'hide' });
    }
  });

  test('WeChat users: a role with only "Read WeChat users" sees the view and cannot act (the API refuses too)', async () => {
    const env = getEnv();
    const reader = { email: 'users-reader@example.com', password: 'Reader-Passw0rd', firstname: 'Rita', lastname: 'Reader' };
    await adminWithActions(env.baseUrl, await adminToken(env.baseUrl, env.superAdmin), reader, 'WeChat users reader', [ACTION('users.read')]);
    const page = await signedIn(env, reader);
    try {
      await openUsersView(page);
      await search(page, env.sim.openidFor(env.apps[0].appId, 'uma'));
      await page.getByTestId(`wechat-user-row-${personId}`).getByRole('button', { name: 'Open' }).click();
      const card = page.getByTestId('wechat-user-card');
      await card.getByTestId('wechat-users-read-only').waitFor();
      const buttons = [
        ...(await card.getByTestId('wechat-user-actions').getByRole('button').all()),
        ...(await card.getByTestId('wechat-identity-detach').all()),
      ];
      expect(buttons.length).toBeGreaterThanOrEqual(5);
      for (const button of buttons) expect(await button.isDisabled()).toBe(true);
      const token = await adminToken(env.baseUrl, reader);
      for (const action of ['clear-nickname', 'clear-avatar', 'unbind-phone', 'block']) {
        expect((await adminApi(env.baseUrl, 'POST', `${API}/users/${personId}/${action}`, token, {})).status).toBe(403);
      }
    } finally {
      await page.context().close();
    }
  });

  test('WeChat users: a role without "Read WeChat users" has no menu entry, the page says "no permission", the API answers 403', async () => {
    const env = getEnv();
    const outsider = { email: 'settings-reader@example.com', password: 'Settings-Passw0rd', firstname: 'Sam', lastname: 'Settings' };
    await adminWithActions(env.baseUrl, await adminToken(env.baseUrl, env.superAdmin), outsider, 'WeChat settings reader', [ACTION('settings.read')]);
    const page = await signedIn(env, outsider);
    try {
      await page.getByRole('link', { name: 'WeChat Mini Program Authenticator' }).waitFor();
      expect(await page.getByRole('link', { name: 'WeChat users', exact: true }).count()).toBe(0);
      const asked = page.waitForResponse((r) => r.url().includes(`${API}/users`), { timeout: 3000 }).catch(() => null);
      await page.goto(`${env.baseUrl}${USERS_PAGE_PATH}`);
      // Strapi 5 nests the page's main landmark in the layout's: the first is enough.
      await page
        .getByText(/permissions to access that content/)
        .first()
        .waitFor();
      expect(await asked).toBeNull();
      const token = await adminToken(env.baseUrl, outsider);
      expect((await adminApi(env.baseUrl, 'POST', `${API}/users/search`, token, { term: 'uma' })).status).toBe(403);
      expect((await adminApi(env.baseUrl, 'GET', `${API}/users/${personId}`, token)).status).toBe(403);
    } finally {
      await page.context().close();
    }
  });
}
