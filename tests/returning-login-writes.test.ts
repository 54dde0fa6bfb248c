/**
 * A returning login writes only what changed. The body 0.0.5 documented sends `userInfo` on every
 * login, and since 2021 WeChat answers the same anonymous profile every time: the same profile, the
 * same session key (WeChat keeps a key for a while: the simulator's sessionKeyRetentionMs) and a known
 * unionid must leave the database untouched. Proven with tables that refuse every write (a trigger,
 * as a real database refusal): such logins still answer 200. A changed profile is stored, several
 * users' changes in one batch each keeping its own. On SQLite, PostgreSQL or MariaDB (DATABASE_CLIENT).
 */
import type { Knex } from 'knex';
import { startTestApp, type TestApp } from './helpers/test-app';
import { login } from './helpers/login';
import { IDENTITY_TABLE } from './helpers/apps';
import { refuseWrites } from './helpers/refuse-writes';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const USERS_TABLE = 'up_users';
const APP = { ...DEMO_APP, openPlatformId: 'op-writes' };
// Every login of a user within a minute gets the same session key, as WeChat's do.
let clock = Date.now();
const sim = new WeChatSimulator({ apps: [APP], sessionKeyRetentionMs: 60_000, now: () => clock });
let app: TestApp;
const knex = (): Knex => app.strapi.db.connection;
let nonce = 0;
const codeOf = (user: string) => `sim_${user}_${(nonce += 1)}`;

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({ name: 'returning-writes', pluginConfig: { apiBaseUrl, apps: [{ appId: APP.appId, appSecret: APP.appSecret }] } });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

async function storedUser(id: number): Promise<{ wechatUserInfo: unknown; updatedAt: unknown }> {
  const row = (await knex()(USERS_TABLE).where({ id }).first()) as Record<string, unknown>;
  const info = row.wechat_user_info;
  return { wechatUserInfo: typeof info === 'string' ? JSON.parse(info) : info, updatedAt: new Date(row.updated_at as string).getTime() };
}

/** Runs `body` while the users and identities tables refuse every INSERT and UPDATE. */
async function withoutWrites<T>(body: () => Promise<T>): Promise<T> {
  const restores = [await refuseWrites(knex(), USERS_TABLE, ['INSERT', 'UPDATE']), await refuseWrites(knex(), IDENTITY_TABLE, ['INSERT', 'UPDATE'])];
  try {
    return await body();
  } finally {
    for (const restore of restores) await restore();
  }
}

const profile = {
  nickName: '微信用户',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132',
  gender: 0,
  language: 'zh_CN',
  city: '',
  province: '',
  country: '',
};

test('a returning login with the same profile (in another key order), the same session key and the known unionid writes nothing', async () => {
  const first = await login(app.server, { code: codeOf('wanda'), userInfo: profile });
  expect(first.status).toBe(200);
  const before = await storedUser(first.body.user.id);
  expect(before.wechatUserInfo).toEqual(profile);

  const reordered = Object.fromEntries(Object.entries(profile).reverse());
  const again = await withoutWrites(() => login(app.server, { code: codeOf('wanda'), userInfo: reordered }));
  expect(again.status).toBe(200);
  expect(again.body.user.id).toBe(first.body.user.id);
  // And the code-only body too.
  expect((await withoutWrites(() => login(app.server, { code: codeOf('wanda') }))).status).toBe(200);
  expect(await storedUser(first.body.user.id)).toEqual(before);
});

test('a changed profile is stored (and updatedAt moves); with the tables refusing writes that login fails instead of answering', async () => {
  const first = await login(app.server, { code: codeOf('xena'), userInfo: profile });
  const before = await storedUser(first.body.user.id);
  const changed = { ...profile, nickName: 'Xena' };
  const refused = await withoutWrites(() => login(app.server, { code: codeOf('xena'), userInfo: changed }));
  expect(refused.status).toBe(500);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const res = await login(app.server, { code: codeOf('xena'), userInfo: changed });
  expect(res.status).toBe(200);
  expect(res.body.user.wechatUserInfo ?? changed).toEqual(changed);
  const after = await storedUser(first.body.user.id);
  expect(after.wechatUserInfo).toEqual(changed);
  expect(after.updatedAt).toBeGreaterThan(before.updatedAt as number);
});

test('a new session key is stored before the login answers, even with an unchanged profile', async () => {
  const first = await login(app.server, { code: codeOf('yuki'), userInfo: profile });
  const identity = (await knex()(IDENTITY_TABLE)
    .where({ openid: sim.openidFor(APP.appId, 'yuki') })
    .first()) as { id: number; session_key: string };
  // The retention period is over: WeChat gives this login a new key.
  clock += 61_000;
  const refused = await withoutWrites(() => login(app.server, { code: codeOf('yuki'), userInfo: profile }));
  expect(refused.status).toBe(500);
  const res = await login(app.server, { code: codeOf('yuki'), userInfo: profile });
  expect(res.status).toBe(200);
  expect(res.body.user.id).toBe(first.body.user.id);
  const now = (await knex()(IDENTITY_TABLE).where({ id: identity.id }).first()) as { session_key: string };
  expect(now.session_key).not.toBe(identity.session_key);
});

test('simultaneous returning logins of several users with changed profiles each keep their own (one batch)', async () => {
  const users = ['ada', 'bob', 'cyd', 'dee', 'eve', 'fay'];
  const ids = new Map<string, number>();
  for (const user of users) ids.set(user, (await login(app.server, { code: codeOf(user), userInfo: profile })).body.user.id);
  const answers = await Promise.all(users.map((user) => login(app.server, { code: codeOf(user), userInfo: { ...profile, nickName: `nick-${user}` } })));
  expect(answers.map((res) => res.status)).toEqual(users.map(() => 200));
  for (const user of users) expect((await storedUser(ids.get(user)!)).wechatUserInfo).toEqual({ ...profile, nickName: `nick-${user}` });
});
