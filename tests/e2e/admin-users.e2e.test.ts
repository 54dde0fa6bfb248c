/**
 * The WeChat users view on Strapi 4 in a real browser: the playground (`strapi start`, admin built) with two mini
 * programs in config/plugins bound to one Open Platform account in the WeChat simulator, Debian's chromium driven by
 * playwright-core, everything on 127.0.0.1. The steps are tests/e2e/users-view.ts (the same on Strapi 5).
 *
 * Needs /usr/bin/chromium; without it the test is skipped, except under CI.
 */
import fs from 'fs';
import path from 'path';
import { chromium, Browser, Page } from 'playwright-core';
import { WeChatSimulator } from '../../simulator/wechat-simulator';
import { ensurePlaygroundBuilt, registerFirstAdmin, REPO_ROOT, RunningPlayground, startPlayground } from './playground';
import { usersViewTests } from './users-view';

const CHROMIUM = '/usr/bin/chromium';
const runnable = fs.existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runnable) console.warn(`Skipping the WeChat users e2e test: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI it runs.`);
const maybe = runnable ? describe : describe.skip;

const OPEN_PLATFORM = 'op-users-e2e';
const SHOP = { appId: 'wx1a2b3c4d5e6f7081', name: 'Tea Shop', appSecret: '1a2b3c4d5e6f70811a2b3c4d5e6f7081' };
const CLUB = { appId: 'wx8070605040302010', name: 'Tea Club', appSecret: '80706050403020108070605040302010' };
const SUPER = { email: 'owner@example.com', password: 'Owner-Passw0rd', firstname: 'Olivia', lastname: 'Owner' };

maybe('WeChat users view on Strapi 4 in Chromium', () => {
  const sim = new WeChatSimulator({ apps: [SHOP, CLUB].map(({ appId, appSecret }) => ({ appId, appSecret, openPlatformId: OPEN_PLATFORM })) });
  let playground: RunningPlayground;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (await ensurePlaygroundBuilt()) console.log('built the playground admin (strapi build)');
    const wechatApiBaseUrl = await sim.start();
    playground = await startPlayground({ wechatApiBaseUrl, name: 'admin-users-e2e', env: { WECHAT_APPS: JSON.stringify([SHOP, CLUB]) } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', colorScheme: 'light' });
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      return hostname === '127.0.0.1' || hostname === 'localhost' ? route.continue() : route.abort();
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await sim.stop();
  }, 60_000);

  test('registers the first admin', async () => {
    await registerFirstAdmin(page, playground.url, SUPER);
  });

  usersViewTests(() => ({
    baseUrl: playground.url,
    sim,
    browser,
    page,
    superAdmin: SUPER,
    apps: [SHOP, CLUB],
    screenshot: path.join(REPO_ROOT, 'docs', 'screenshots', 'users-en.png'),
  }));
});
