/**
 * Upgrading in place (docs/design/apps-and-identities.md, "Upgrade in place"): a database left by
 * 0.0.5 or by 1.0, built in a plain Strapi app (tests/helpers/legacy-states.ts), then the same
 * database started with this plugin. The old accounts keep logging into the same user ids, the
 * saved credentials carry over, and nothing is created twice.
 */
import { startTestApp, TestApp } from './helpers/test-app';
import { registerFirstAdmin } from './helpers/admin';
import { codeFor, expectNoSecrets, login } from './helpers/login';
import { allIdentities, expectStatus, identitiesOf, logLines, rawInsert, settingsApi } from './helpers/apps';
import { openEntry, saveEntry } from './helpers/content-manager';
import {
  authenticatedRoleIs1,
  credentialRows005,
  files005,
  files005UserExtension,
  files10,
  insertCredentials005,
  insertUser005,
  insertUser10,
  simultaneousFirstLogins005,
  storeSettings10,
  userRows,
  USER_UID,
} from './helpers/legacy-states';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';
import { storedSettings } from './helpers/stored-settings';
import { openSealed } from './helpers/app-keys';

// The compiled plugin, as the test app loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module the test app loads (dist/), not the TypeScript source
const { ensureUniqueIndexes } = require('../dist/server/content-types/ensure-unique-indexes');

/** A secret as the test app stores it: sealed (under the key derived from its APP_KEYS), read opened; other values as they are. */
const opened = (value: unknown) => (typeof value === 'string' && value.startsWith('wxenc:') ? openSealed(value) : value);
/** 0.0.5's credential rows, their AppSecret opened (sealed in place at the upgrade). */
const credentialRows005Opened = async (strapi: TestApp['strapi']) =>
  (await credentialRows005(strapi)).map((row) => ({ ...row, app_secret: opened(row.app_secret) }));
/** The info line about importing 0.0.5's credentials: says it imported, and what (the AppID/AppSecret). */
const isImportLine = (message: string) => /import/i.test(message) && /AppID|AppSecret|credential/i.test(message);

describe('upgrade from 0.0.5 (credentials in its own table, hand-made User fields)', () => {
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  const legacy = [
    { name: 'legacy1', wechatUserInfo: { nickName: 'legacy1', gender: 0 } },
    { name: 'legacy2', wechatUserInfo: { nickName: '老用户', gender: 1, city: 'Shenzhen' } },
    { name: 'legacy3', wechatUserInfo: undefined }, // no userInfo sent: 0.0.5 stored {}
  ];
  const ids: Record<string, number> = {};
  const openid = (name: string) => sim.openidFor(DEMO_APP.appId, name);
  let apiBaseUrl: string;
  let credentialsBefore: Record<string, unknown>[];
  let usersBefore: Record<string, unknown>[];
  let app: TestApp;
  let admin: string;
  // The same database with this plugin and nothing about credentials in config.
  const boot = () => startTestApp({ name: 'upgrade-005', keepDatabase: true, files: files005UserExtension(), pluginConfig: { apiBaseUrl } });

  beforeAll(async () => {
    apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'upgrade-005', withPlugin: false, files: files005() });
    await authenticatedRoleIs1(before.strapi);
    await insertCredentials005(before.strapi, DEMO_APP);
    for (const user of legacy) ids[user.name] = await insertUser005(before.strapi, { openid: openid(user.name), wechatUserInfo: user.wechatUserInfo });
    credentialsBefore = await credentialRows005(before.strapi);
    usersBefore = await userRows(before.strapi);
    await before.stop();

    app = await boot();
    admin = await registerFirstAdmin(app.server);
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('the 0.0.5 AppID and AppSecret became a store app and the default app; one info line says so, without the secret', async () => {
    const res = await settingsApi(app.server, admin).get();
    expectStatus(res, 200);
    expect(res.body.data).toMatchObject({
      configured: true,
      defaultAppId: DEMO_APP.appId,
      apps: [
        {
          appId: DEMO_APP.appId,
          source: 'store',
          isDefault: true,
          appSecret: { isSet: true, last4: DEMO_APP.appSecret.slice(-4), source: 'store' },
        },
      ],
    });
    expect(res.body.data.apps).toHaveLength(1);
    expectNoSecrets(res.text, [DEMO_APP.appSecret]);
    expect(await storedSettings(app.strapi)).toMatchObject({
      apps: [{ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }],
      legacyCredentialsImported: true,
    });

    const importLines = logLines(app.logs, 'info').filter((l) => isImportLine(l.message));
    expect(importLines.map((l) => l.message)).toHaveLength(1);
    expectNoSecrets(app.logs.text(), [DEMO_APP.appSecret]);
  });

  test('the 0.0.5 table and its row are still there, unchanged but for the AppSecret, sealed in place', async () => {
    expect((await credentialRows005(app.strapi))[0].app_secret).toMatch(/^wxenc:v1:/);
    expect(await credentialRows005Opened(app.strapi)).toEqual(credentialsBefore);
  });

  test('each old user has a username and an email now, and saves through the Content Manager before logging in again', async () => {
    for (const { name } of legacy) {
      const id = ids[name];
      const opened = await openEntry(app.server, admin, USER_UID, id);
      expectStatus(opened, 200);
      expect(opened.body).toMatchObject({ username: `wechat_${openid(name)}`, email: `${openid(name).toLowerCase()}@wechat.invalid` });

      const saved = await saveEntry(app.strapi, app.server, admin, USER_UID, id, { confirmed: true });
      expectStatus(saved, 200);
    }
    // Saving changed nothing it should not have: the password hash, the openid, the profile.
    const after = await userRows(app.strapi);
    for (const row of usersBefore) {
      const now = after.find((r) => r.id === row.id)!;
      expect({ id: now.id, password: now.password, openid: now.openid }).toEqual({ id: row.id, password: row.password, openid: row.openid });
    }
  });

  test('each old user got exactly one identity, in the imported app, with its openid', async () => {
    for (const { name } of legacy) {
      expect(await identitiesOf(app.strapi, ids[name])).toEqual([{ appId: DEMO_APP.appId, openid: openid(name), unionid: null }]);
    }
    expect(await allIdentities(app.strapi)).toHaveLength(legacy.length);
  });

  test('old users log into their own accounts (no appId: the imported default app), keeping their profile; nobody is created', async () => {
    const count = await app.strapi.db.query(USER_UID).count();
    for (const { name, wechatUserInfo } of legacy) {
      const res = await login(app.server, { code: codeFor(name) });
      expectStatus(res, 200);
      expect(res.body.user).toMatchObject({ id: ids[name], openid: openid(name), wechatUserInfo: wechatUserInfo ?? {} });
      const explicit = await login(app.server, { code: codeFor(name), appId: DEMO_APP.appId });
      expectStatus(explicit, 200);
      expect(explicit.body.user.id).toBe(ids[name]);
    }
    expect(await app.strapi.db.query(USER_UID).count()).toBe(count);
    expect(await allIdentities(app.strapi)).toHaveLength(legacy.length);
  });

  test('a new person gets a new account next to the old ones', async () => {
    const res = await login(app.server, { code: codeFor('newcomer') });
    expectStatus(res, 200);
    expect(Object.values(ids)).not.toContain(res.body.user.id);
    expect(await identitiesOf(app.strapi, res.body.user.id)).toEqual([{ appId: DEMO_APP.appId, openid: openid('newcomer'), unionid: null }]);
  });

  test('up_users.unionid (a column this table did not have) gets a real unique index', async () => {
    const unionid = 'oUpgradeUnionidUniqueCheck0000';
    expect(await rawInsert(app.strapi, USER_UID, { username: 'dupe-a', email: 'dupe-a@example.com', unionid })).toBeNull();
    const refusal = await rawInsert(app.strapi, USER_UID, { username: 'dupe-b', email: 'dupe-b@example.com', unionid });
    expect(refusal?.message).toMatch(/unique|duplicate/i);
    await app.strapi.db.connection('up_users').whereIn('username', ['dupe-a', 'dupe-b']).del();
  });

  test('a restart imports nothing again and adds no identity', async () => {
    const identities = await allIdentities(app.strapi);
    const settings = await storedSettings(app.strapi);
    await app.stop();
    app = await boot();
    expect(logLines(app.logs, 'info').filter((l) => isImportLine(l.message))).toEqual([]);
    expect(await allIdentities(app.strapi)).toEqual(identities);
    expect(await storedSettings(app.strapi)).toEqual(settings);
    expect(await credentialRows005Opened(app.strapi)).toEqual(credentialsBefore);
    const res = await login(app.server, { code: codeFor('legacy1') });
    expect(res.body.user?.id).toBe(ids.legacy1);
  });

  test('an imported app the admin removed is not imported again at the next start', async () => {
    // (The admin JWT from the first boot stays valid: same database, same secret.)
    expectStatus(await settingsApi(app.server, admin).removeApp(DEMO_APP.appId), 200);
    await app.stop();
    app = await boot();
    const res = await settingsApi(app.server, admin).get();
    expectStatus(res, 200);
    expect(res.body.data.apps).toEqual([]);
    expect(logLines(app.logs, 'info').filter((l) => isImportLine(l.message))).toEqual([]);
    expect(await credentialRows005Opened(app.strapi)).toEqual(credentialsBefore);
    // The old users' identities stay (their accounts are theirs), waiting for the app to come back.
    for (const { name } of legacy) expect(await identitiesOf(app.strapi, ids[name])).toHaveLength(1);
  });
});

describe('upgrade from 0.0.5 with credentials already in config', () => {
  const STALE_SECRET = 'ffffffffffffffffffffffffffffffff';
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  let app: TestApp;
  let id: number;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'upgrade-005-config', withPlugin: false, files: files005() });
    // The row 0.0.5 left holds an AppSecret that has since been reset on WeChat's side.
    await insertCredentials005(before.strapi, { appId: DEMO_APP.appId, appSecret: STALE_SECRET });
    id = await insertUser005(before.strapi, { openid: sim.openidFor(DEMO_APP.appId, 'keeper') });
    await before.stop();
    app = await startTestApp({
      name: 'upgrade-005-config',
      keepDatabase: true,
      files: files005UserExtension(),
      pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('the config AppSecret is the one used: the old user logs in (the stale one would be refused by WeChat)', async () => {
    const res = await login(app.server, { code: codeFor('keeper') });
    expectStatus(res, 200);
    expect(res.body.user.id).toBe(id);
  });

  test('the admin API lists the app once, from config, with the config secret', async () => {
    const admin = await registerFirstAdmin(app.server);
    const res = await settingsApi(app.server, admin).get();
    expectStatus(res, 200);
    expect(res.body.data.apps).toEqual([
      expect.objectContaining({
        appId: DEMO_APP.appId,
        source: 'config',
        appSecret: expect.objectContaining({ isSet: true, last4: DEMO_APP.appSecret.slice(-4), source: 'config' }),
      }),
    ]);
    expect(res.body.data.defaultAppId).toBe(DEMO_APP.appId);
    expectNoSecrets(res.text + app.logs.text(), [DEMO_APP.appSecret, STALE_SECRET]);
  });
});

describe('upgrade from 1.0 (openid, unionid, session key on the User; store settings { appId, appSecret })', () => {
  const OPEN_PLATFORM = 'op-upgrade-10';
  const MAIN: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
  const SECOND: SimulatedApp = { appId: 'wx10a0000000000002', appSecret: '10a00000000000000000000000000002', openPlatformId: OPEN_PLATFORM };
  const sim = new WeChatSimulator({ apps: [MAIN, SECOND] });
  const openid = (name: string) => sim.openidFor(MAIN.appId, name);
  const unionid = (name: string) => sim.unionidFor(OPEN_PLATFORM, name);
  // 'linked' logged in after the mini program was bound to the Open Platform account; 'early' did not.
  const legacy = [
    { name: 'linked', unionid: true, sessionKey: 'c2Vzc2lvbi1rZXktbGlua2VkAA==', wechatUserInfo: { nickName: 'Linked' } },
    { name: 'early', unionid: false, sessionKey: 'c2Vzc2lvbi1rZXktZWFybHkAAA==', wechatUserInfo: null },
  ];
  const ids: Record<string, number> = {};
  let usersBefore: Record<string, unknown>[];
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'upgrade-10', withPlugin: false, files: files10() });
    await storeSettings10(before.strapi, MAIN);
    for (const user of legacy) {
      ids[user.name] = await insertUser10(before.strapi, {
        openid: openid(user.name),
        unionid: user.unionid ? unionid(user.name) : null,
        sessionKey: user.sessionKey,
        wechatUserInfo: user.wechatUserInfo,
      });
    }
    usersBefore = await userRows(before.strapi);
    await before.stop();

    // 1.0 added its User fields at register: no extension file in the app.
    app = await startTestApp({ name: 'upgrade-10', keepDatabase: true, pluginConfig: { apiBaseUrl } });
    admin = await registerFirstAdmin(app.server);
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('the 1.0 store settings read as one app, the default, and are rewritten in the new shape', async () => {
    const res = await settingsApi(app.server, admin).get();
    expectStatus(res, 200);
    expect(res.body.data).toMatchObject({
      configured: true,
      defaultAppId: MAIN.appId,
      apps: [{ appId: MAIN.appId, source: 'store', isDefault: true, appSecret: { isSet: true, last4: MAIN.appSecret.slice(-4), source: 'store' } }],
    });
    expect(res.body.data.apps).toHaveLength(1);
    const stored = await storedSettings(app.strapi);
    expect(stored).toMatchObject({ apps: [{ appId: MAIN.appId, appSecret: MAIN.appSecret }] });
    expect(stored).not.toHaveProperty('appId');
    expect(stored).not.toHaveProperty('appSecret');
  });

  test('each 1.0 user got one identity in that app with its openid, unionid and session key; the user rows are as they were', async () => {
    for (const user of legacy) {
      const rows = await allIdentities(app.strapi, { user: { id: ids[user.name] } });
      expect(rows.map(({ appId, openid: o, unionid: u, sessionKey }) => ({ appId, openid: o, unionid: u, sessionKey: opened(sessionKey) }))).toEqual([
        { appId: MAIN.appId, openid: openid(user.name), unionid: user.unionid ? unionid(user.name) : null, sessionKey: user.sessionKey },
      ]);
    }
    const now = await userRows(app.strapi);
    const legacyColumns = (r: Record<string, unknown>) => ({
      id: r.id,
      username: r.username,
      email: r.email,
      openid: r.openid,
      unionid: r.unionid,
      wechat_session_key: opened(r.wechat_session_key),
    });
    expect(now.map(legacyColumns)).toEqual(usersBefore.map(legacyColumns));
  });

  test('the users log into the same accounts, and nobody is created', async () => {
    const count = await app.strapi.db.query(USER_UID).count();
    for (const user of legacy) {
      const res = await login(app.server, { code: codeFor(user.name) });
      expectStatus(res, 200);
      expect(res.body.user).toMatchObject({ id: ids[user.name], openid: openid(user.name) });
      expect(await identitiesOf(app.strapi, ids[user.name])).toHaveLength(1);
    }
    expect(await app.strapi.db.query(USER_UID).count()).toBe(count);
  });

  test('the unionid 1.0 kept links: the same person from a second mini program of that Open Platform lands on the same account', async () => {
    expectStatus(await settingsApi(app.server, admin).addApp({ appId: SECOND.appId, appSecret: SECOND.appSecret, name: 'Second' }), 200);
    const res = await login(app.server, { code: codeFor('linked'), appId: SECOND.appId });
    expectStatus(res, 200);
    expect(res.body.user).toMatchObject({ id: ids.linked, openid: sim.openidFor(SECOND.appId, 'linked') });
    expect(await identitiesOf(app.strapi, ids.linked)).toEqual(
      [
        { appId: MAIN.appId, openid: openid('linked'), unionid: unionid('linked') },
        { appId: SECOND.appId, openid: sim.openidFor(SECOND.appId, 'linked'), unionid: unionid('linked') },
      ].sort((a, b) => a.appId.localeCompare(b.appId))
    );
    const row = await app.strapi.db.connection('up_users').where({ id: ids.linked }).first();
    expect(row.unionid).toBe(unionid('linked'));
  });

  test('up_users.unionid, which 1.0 left without an index, now has a real unique one', async () => {
    const refusal = await rawInsert(app.strapi, USER_UID, { username: 'dupe', email: 'dupe@example.com', unionid: unionid('linked') });
    expect(refusal?.message).toMatch(/unique|duplicate/i);
  });
});

describe('upgrade from 0.0.5 with no credentials saved: the app is added after the upgrade', () => {
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  const openid = (name: string) => sim.openidFor(DEMO_APP.appId, name);
  const ids: Record<string, number> = {};
  let apiBaseUrl: string;
  let app: TestApp;
  let admin: string;
  const boot = () =>
    startTestApp({
      name: 'upgrade-005-later',
      keepDatabase: true,
      files: files005UserExtension(),
      pluginConfig: { apiBaseUrl, ratelimit: { enabled: false, interval: { min: 1 }, max: 600 } },
    });

  beforeAll(async () => {
    apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'upgrade-005-later', withPlugin: false, files: files005() });
    for (const name of ['early', 'burst', 'absent']) ids[name] = await insertUser005(before.strapi, { openid: openid(name) });
    await before.stop();
    app = await boot();
    admin = await registerFirstAdmin(app.server);
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('nothing to import, no app, no identity yet', async () => {
    const res = await settingsApi(app.server, admin).get();
    expectStatus(res, 200);
    expect(res.body.data).toMatchObject({ configured: false, apps: [], defaultAppId: null });
    expect(await allIdentities(app.strapi)).toEqual([]);
  });

  test('once the admin adds the app, an old user logs into their own account', async () => {
    expectStatus(await settingsApi(app.server, admin).addApp({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }), 200);
    const res = await login(app.server, { code: codeFor('early') });
    expectStatus(res, 200);
    expect(res.body.user).toMatchObject({ id: ids.early, openid: openid('early') });
    expect(await identitiesOf(app.strapi, ids.early)).toEqual([{ appId: DEMO_APP.appId, openid: openid('early'), unionid: null }]);
  });

  test('20 simultaneous logins of another old user: all on that account, one identity, nobody created', async () => {
    const users = await app.strapi.db.query(USER_UID).count();
    const results = await Promise.all(Array.from({ length: 20 }, () => login(app.server, { code: codeFor('burst') })));
    expect(results.map((r) => [r.status, r.body.user?.id])).toEqual(Array(20).fill([200, ids.burst]));
    expect(await identitiesOf(app.strapi, ids.burst)).toHaveLength(1);
    expect(await app.strapi.db.query(USER_UID).count()).toBe(users);
  });

  test('at the next start, the old user who has not logged in yet gets the identity, and logs into their account', async () => {
    await app.stop();
    app = await boot();
    expect(await identitiesOf(app.strapi, ids.absent)).toEqual([{ appId: DEMO_APP.appId, openid: openid('absent'), unionid: null }]);
    const res = await login(app.server, { code: codeFor('absent') });
    expectStatus(res, 200);
    expect(res.body.user.id).toBe(ids.absent);
    expect(await allIdentities(app.strapi)).toHaveLength(3);
  });
});

describe('upgrade from 1.0 (app saved in the admin panel) while adding a second mini program in config', () => {
  // Neither app is bound to an Open Platform account: no unionid to fall back on.
  const OLD: SimulatedApp = DEMO_APP;
  const NEW: SimulatedApp = { appId: 'wx10b0000000000003', appSecret: '10b00000000000000000000000000003' };
  const sim = new WeChatSimulator({ apps: [OLD, NEW] });
  const openid = (name: string) => sim.openidFor(OLD.appId, name);
  const ids: Record<string, number> = {};
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'upgrade-10-second', withPlugin: false, files: files10() });
    await storeSettings10(before.strapi, OLD);
    for (const name of ['old1', 'old2']) ids[name] = await insertUser10(before.strapi, { openid: openid(name), sessionKey: `c2Vzc2lvbi1rZXkt${name}AA==` });
    await before.stop();
    app = await startTestApp({
      name: 'upgrade-10-second',
      keepDatabase: true,
      pluginConfig: { apiBaseUrl, apps: [{ appId: NEW.appId, appSecret: NEW.appSecret }] },
    });
    admin = await registerFirstAdmin(app.server);
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('both apps are listed: the config one first (the default), the 1.0 one from the store', async () => {
    const res = await settingsApi(app.server, admin).get();
    expectStatus(res, 200);
    expect(res.body.data.apps.map((a: { appId: string; source: string }) => [a.appId, a.source])).toEqual([
      [NEW.appId, 'config'],
      [OLD.appId, 'store'],
    ]);
  });

  test('a 1.0 user logging in from the 1.0 mini program (appId given) lands on their account', async () => {
    const users = await app.strapi.db.query(USER_UID).count();
    const res = await login(app.server, { code: codeFor('old1'), appId: OLD.appId });
    expectStatus(res, 200);
    expect(res.body.user).toMatchObject({ id: ids.old1, openid: openid('old1') });
    expect(await app.strapi.db.query(USER_UID).count()).toBe(users);
  });

  test('once the admin makes the 1.0 app the default again (the 1.0 mini program sends no appId), its users land on their accounts', async () => {
    expectStatus(await settingsApi(app.server, admin).setDefault(OLD.appId), 200);
    const users = await app.strapi.db.query(USER_UID).count();
    const res = await login(app.server, { code: codeFor('old2') });
    expectStatus(res, 200);
    expect(res.body.user).toMatchObject({ id: ids.old2, openid: openid('old2') });
    expect(await app.strapi.db.query(USER_UID).count()).toBe(users);
  });

  test('no identity claims a 1.0 openid for an app that did not issue it', async () => {
    const legacyOpenids = [openid('old1'), openid('old2')];
    const wrong = (await allIdentities(app.strapi)).filter((i) => legacyOpenids.includes(i.openid) && i.appId !== OLD.appId);
    expect(wrong.map(({ appId, openid: o, userId }) => ({ appId, openid: o, userId }))).toEqual([]);
  });
});

describe('upgrade from 0.0.5 while adding another mini program in config', () => {
  const NEW: SimulatedApp = { appId: 'wx005c000000000004', appSecret: '005c0000000000000000000000000004' };
  const sim = new WeChatSimulator({ apps: [DEMO_APP, NEW] });
  let app: TestApp;
  let id: number;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'upgrade-005-second', withPlugin: false, files: files005() });
    await insertCredentials005(before.strapi, DEMO_APP);
    id = await insertUser005(before.strapi, { openid: sim.openidFor(DEMO_APP.appId, 'old') });
    await before.stop();
    app = await startTestApp({
      name: 'upgrade-005-second',
      keepDatabase: true,
      files: files005UserExtension(),
      pluginConfig: { apiBaseUrl, apps: [{ appId: NEW.appId, appSecret: NEW.appSecret }] },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('a 0.0.5 user logging in from the 0.0.5 mini program (its imported AppID given) lands on their account', async () => {
    const res = await login(app.server, { code: codeFor('old'), appId: DEMO_APP.appId });
    expectStatus(res, 200);
    expect(res.body.user.id).toBe(id);
    expect((await allIdentities(app.strapi)).map(({ appId, userId }) => ({ appId, userId }))).toEqual([{ appId: DEMO_APP.appId, userId: id }]);
  });
});

describe('upgrade from 0.0.5 holding several accounts for one person (first logins that overlapped)', () => {
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  const openid = (name: string) => sim.openidFor(DEMO_APP.appId, name);
  // How many first logins of each person 0.0.5 served at the same moment.
  const people: Record<string, number> = { twin: 3, pair: 2 };
  const accounts: Record<string, number[]> = {};
  const extras = () => Object.values(accounts).flatMap((ids) => ids.slice(1));
  let single: number;
  let usersBefore: Record<string, unknown>[];
  let apiBaseUrl: string;
  let app: TestApp;
  let admin: string;
  const boot = () =>
    startTestApp({
      name: 'upgrade-005-duplicates',
      keepDatabase: true,
      files: files005UserExtension(),
      pluginConfig: { apiBaseUrl, ratelimit: { enabled: false, interval: { min: 1 }, max: 600 } },
    });
  const warnings = () => logLines(app.logs, 'warn').filter((l) => /several accounts/.test(l.message));
  /** A row as it is now, in the columns it had before the upgrade (the upgrade adds columns, empty). */
  const unchanged = (now: Record<string, unknown>[], id: number) => {
    const before = usersBefore.find((r) => r.id === id)!;
    const row = now.find((r) => r.id === id)!;
    return { now: Object.fromEntries(Object.keys(before).map((column) => [column, row[column]])), before };
  };
  const mentions = (message: string, id: number) => new RegExp(`#${id}(?!\\d)`).test(message);

  beforeAll(async () => {
    apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'upgrade-005-duplicates', withPlugin: false, files: files005() });
    await insertCredentials005(before.strapi, DEMO_APP);
    single = await insertUser005(before.strapi, { openid: openid('single') });
    for (const [name, logins] of Object.entries(people)) {
      accounts[name] = await simultaneousFirstLogins005(before.strapi, { openid: openid(name), logins, wechatUserInfo: (i) => ({ nickName: `${name} ${i}` }) });
    }
    usersBefore = await userRows(before.strapi);
    await before.stop();
    app = await boot();
    admin = await registerFirstAdmin(app.server);
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('Strapi starts; one warning says how many people and lists their accounts by id, and no openid is logged', () => {
    expect(warnings()).toHaveLength(1);
    const [{ message }] = warnings();
    expect(message).toMatch(/\b2 person/);
    for (const ids of Object.values(accounts)) expect(message).toContain(ids.map((id) => `#${id}`).join(', '));
    expect(mentions(message, single)).toBe(false);
    expectNoSecrets(app.logs.text(), [...Object.keys(people), 'single'].map(openid));
  });

  test('each person logs in to their oldest account, every time, one login after another or several at once', async () => {
    for (const name of Object.keys(people)) {
      const oldest = accounts[name][0];
      for (let i = 0; i < 2; i++) {
        const res = await login(app.server, { code: codeFor(name) });
        expectStatus(res, 200);
        expect(res.body.user).toMatchObject({ id: oldest, openid: openid(name), username: `wechat_${openid(name)}` });
      }
      const together = await Promise.all(Array.from({ length: 3 }, () => login(app.server, { code: codeFor(name) })));
      expect(together.map((r) => [r.status, r.body.user?.id])).toEqual(Array(3).fill([200, oldest]));
    }
    expect((await login(app.server, { code: codeFor('single') })).body.user?.id).toBe(single);
  });

  test('the other accounts are kept unchanged, and the admin sees them in the Content Manager', async () => {
    const now = await userRows(app.strapi);
    for (const id of extras()) {
      const { now: row, before } = unchanged(now, id);
      expect(row).toEqual(before);
      const opened = await openEntry(app.server, admin, USER_UID, id);
      expectStatus(opened, 200);
      expect(opened.body.id).toBe(id);
    }
    expect(now).toHaveLength(usersBefore.length);
  });

  test('one identity per person, on the oldest account', async () => {
    for (const name of Object.keys(people)) {
      const rows = (await allIdentities(app.strapi)).filter((i) => i.openid === openid(name));
      expect(rows.map(({ appId, userId }) => ({ appId, userId }))).toEqual([{ appId: DEMO_APP.appId, userId: accounts[name][0] }]);
    }
    for (const id of extras()) expect(await identitiesOf(app.strapi, id)).toEqual([]);
  });

  test('a restart starts again, warns again, and changes nothing: the same accounts, the same choice', async () => {
    const identities = await allIdentities(app.strapi);
    await app.stop();
    app = await boot();
    expect(warnings()).toHaveLength(1);
    expect(await allIdentities(app.strapi)).toEqual(identities);
    const res = await login(app.server, { code: codeFor('twin') });
    expect(res.body.user?.id).toBe(accounts.twin[0]);
    const now = await userRows(app.strapi);
    for (const id of extras()) {
      const { now: row, before } = unchanged(now, id);
      expect(row).toEqual(before);
    }
  });
});

describe('unique indexes the plugin creates at startup', () => {
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  const INDEXES = [
    { table: 'wechat_identities', name: 'wechat_identities_app_openid_uq', columns: ['app_id', 'openid'] },
    { table: 'up_users', name: 'up_users_unionid_unique', columns: ['unionid'] },
    // What the activity flushes' upsert adds on.
    { table: 'wechat_login_activity', name: 'wechat_login_activity_key_uq', columns: ['app_id', 'day', 'kind', 'code'] },
  ];
  let app: TestApp;
  const indexNames = async (table: string): Promise<string[]> =>
    (await app.strapi.db.dialect.schemaInspector.getIndexes(table)).map((i: { name: string }) => i.name);
  const dropIndexes = async () => {
    for (const { table, name, columns } of INDEXES) {
      await app.strapi.db.connection.schema.alterTable(table, (t: { dropUnique(c: string[], n: string): void }) => t.dropUnique(columns, name));
    }
  };

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    app = await startTestApp({ name: 'unique-indexes', pluginConfig: { apiBaseUrl, appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret } });
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('two instances creating them at the same moment: neither fails, and they exist once', async () => {
    await dropIndexes();
    await expect(Promise.all([ensureUniqueIndexes(app.strapi), ensureUniqueIndexes(app.strapi)])).resolves.toBeDefined();
    for (const { table, name } of INDEXES) expect((await indexNames(table)).filter((n) => n === name)).toEqual([name]);
  });

  test('two identities of one app and openid left by an earlier state: startup goes on, a warning names their ids (not the openid), the login takes the oldest', async () => {
    const first = await login(app.server, { code: codeFor('doubled') });
    expectStatus(first, 200);
    const other = await login(app.server, { code: codeFor('someone') });
    await dropIndexes();
    const [original] = (await allIdentities(app.strapi)).filter((i) => i.openid === first.body.user.openid);
    const meta = app.strapi.db.metadata.get('plugin::strapi-wechat-miniprogram-auth.identity');
    const [copy] = await app.strapi.db
      .connection(meta.tableName)
      .insert({ app_id: DEMO_APP.appId, openid: original.openid, created_at: new Date(), updated_at: new Date() }, ['id']);
    const copyId = typeof copy === 'object' ? copy.id : copy;
    const link = meta.attributes.user.joinTable;
    await app.strapi.db.connection(link.name).insert({ [link.joinColumn.name]: copyId, [link.inverseJoinColumn.name]: other.body.user.id });

    const from = app.logs.lines.length;
    await ensureUniqueIndexes(app.strapi);
    const [warning, ...more] = logLines(app.logs, 'warn', from);
    expect(more).toEqual([]);
    expect(warning.message).toContain('wechat_identities_app_openid_uq');
    expect(warning.message).toContain(`#${original.id}, #${copyId}`);
    expectNoSecrets(app.logs.text(), [original.openid]);
    expect(await indexNames('up_users')).toContain('up_users_unionid_unique');

    const again = await login(app.server, { code: codeFor('doubled') });
    expectStatus(again, 200);
    expect(again.body.user.id).toBe(first.body.user.id);
  });
});
