/**
 * Apps that followed the original plugin's README added `openid` (Text) and `wechatUserInfo`
 * (JSON) to the User collection by hand, and have users with them. Installing this plugin keeps
 * those users: they log into their existing accounts.
 */
import path from 'path';
import { startTestApp, TestApp } from './helpers/test-app';
import { codeFor, login } from './helpers/login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const USER_UID = 'plugin::users-permissions.user';
const sim = new WeChatSimulator();

// What the Content-Type Builder wrote into the app when the fields were added by hand.
function handMadeUserSchema(): string {
  const dir = path.dirname(require.resolve('@strapi/plugin-users-permissions/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { config: _config, ...userType } = require(path.join(dir, 'server', 'content-types', 'user'));
  return JSON.stringify(
    {
      kind: 'collectionType',
      ...userType,
      attributes: { ...userType.attributes, openid: { type: 'string' }, wechatUserInfo: { type: 'json' } },
    },
    null,
    2
  );
}

const files = { 'src/extensions/users-permissions/content-types/user/schema.json': handMadeUserSchema() };
let apiBaseUrl: string;
let app: TestApp | undefined;
const legacy: Record<string, number> = {};

beforeAll(async () => {
  apiBaseUrl = await sim.start();
  // 1. The app before: hand-made fields, no plugin, users created as the original plugin did
  //    (no username, no email).
  const before = await startTestApp({ name: 'migration', withPlugin: false, files });
  const role = await before.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  for (const name of ['legacy1', 'legacy2']) {
    const user = await before.strapi.db.query(USER_UID).create({
      data: {
        openid: sim.openidFor(DEMO_APP.appId, name),
        wechatUserInfo: { nickName: name, gender: 0 },
        provider: 'local',
        confirmed: true,
        blocked: false,
        role: role.id,
      },
    });
    legacy[name] = user.id;
  }
  await before.stop();

  // 2. The same app and database with this plugin installed.
  app = await startTestApp({
    name: 'migration',
    keepDatabase: true,
    files,
    pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

test('existing users log into their existing accounts, keeping their profile', async () => {
  const count = await app!.strapi.db.query(USER_UID).count();
  const res = await login(app!.server, { code: codeFor('legacy1') });
  expect(res.status).toBe(200);
  expect(res.body.user.id).toBe(legacy.legacy1);
  expect(res.body.user.wechatUserInfo).toEqual({ nickName: 'legacy1', gender: 0 });
  expect(await app!.strapi.db.query(USER_UID).count()).toBe(count);
});

test('their missing username and email are filled in, so the Content Manager can save them', async () => {
  const openid = sim.openidFor(DEMO_APP.appId, 'legacy1');
  const user = await app!.strapi.db.query(USER_UID).findOne({ where: { id: legacy.legacy1 } });
  expect(user.username).toBe(`wechat_${openid}`);
  expect(user.email).toBe(`${openid.toLowerCase()}@wechat.invalid`);
  // The entity service validates like the Content Manager does.
  await expect(
    app!.strapi.entityService.update(USER_UID, legacy.legacy1, { data: { blocked: false } })
  ).resolves.toMatchObject({ id: legacy.legacy1 });
});

test('the hand-made openid column now has a real unique index', async () => {
  const openid = sim.openidFor(DEMO_APP.appId, 'legacy2');
  // Straight through knex: the plugin's identity guard would strip openid from an entity write.
  const refusal = await app!.strapi.db
    .connection('up_users')
    .insert({ openid, username: 'dupe', email: 'dupe@example.com' })
    .then(
      () => null,
      (error: unknown) => error
    );
  // The message, not instanceof: better-sqlite3's native addon keeps the error class of the first
  // test file that loaded it, so in a full in-band run its errors come from another realm.
  expect(String((refusal as { message?: unknown } | null)?.message)).toMatch(/unique|duplicate/i);
  expect(await app!.strapi.db.query(USER_UID).count({ where: { openid } })).toBe(1);
});

test('new WeChat users are created next to the old ones', async () => {
  const res = await login(app!.server, { code: codeFor('newcomer') });
  expect(res.status).toBe(200);
  expect(Object.values(legacy)).not.toContain(res.body.user.id);
});
