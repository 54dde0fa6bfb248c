/**
 * The settings API when config/plugins (env) declares apps: they are reported with source
 * "config", their AppID and name (and their secret when config sets one) cannot be changed from
 * the admin panel, they cannot be removed, a secret config leaves out can be saved from the admin
 * panel, a `defaultAppId` from config cannot be changed there, and store apps live alongside.
 */
import request from 'supertest';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { storedSettings } from './helpers/stored-settings';
import { registerFirstAdmin } from './helpers/admin';
import { codeFor, expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { countIdentities } from './helpers/identities';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';
import { noToken, noSecret, secretView, appsOf, appView } from './helpers/settings-view';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const BASE = `/${PLUGIN}/settings`;
const LOGIN = { path: `/${PLUGIN}/login`, url: `https://api.example.com/${PLUGIN}/login` };

/** Config, 1.0 shorthand `appId` without `appSecret`: the secret comes from the admin panel. */
const DEMO: SimulatedApp = DEMO_APP;
/** Config `apps`, with its secret and a name: entirely read-only; the config default. */
const SHOP: SimulatedApp = { appId: 'wx5000000000000001', appSecret: '50000000000000000000000000000001' };
/** Config `apps`, with a name, no secret. */
const GAME: SimulatedApp = { appId: 'wx6000000000000002', appSecret: '60000000000000000000000000000002' };
/** Added from the admin panel. */
const EXTRA: SimulatedApp = { appId: 'wx7000000000000003', appSecret: '70000000000000000000000000000003' };
const WRONG_SECRET = 'abcdefabcdefabcdefabcdefabcdef00';
const SECRETS = [DEMO.appSecret, SHOP.appSecret, GAME.appSecret, EXTRA.appSecret, WRONG_SECRET];

const sim = new WeChatSimulator({ apps: [DEMO, SHOP, GAME, EXTRA] });
const responses = new ResponseLog();
let app: TestApp;
let token: string;

async function call(method: 'get' | 'post' | 'put' | 'delete', path: string, body?: unknown) {
  const req = request(app.server)[method](`${BASE}${path}`).set('Authorization', `Bearer ${token}`);
  return responses.add(await (body === undefined ? req : req.send(body as object)));
}
const get = () => call('get', '');
const addApp = (body: unknown) => call('post', '/apps', body);
const updateApp = (appId: string, body: unknown) => call('put', `/apps/${appId}`, body);
const removeApp = (appId: string) => call('delete', `/apps/${appId}`);
const setDefault = (appId: string) => call('put', '/default', { appId });
const testCredentials = (body: unknown) => call('post', '/test', body);
const signIn = async (body: unknown) => responses.add(await login(app.server, body));

const pluginStore = () => app.strapi.store({ type: 'plugin', name: PLUGIN });
/** The stored settings, AppSecrets opened (each must be sealed in the store). */
const stored = (): Promise<Untyped> => storedSettings(app.strapi);
const storedApps = async () => ((await stored()) as { apps?: unknown[] } | null)?.apps ?? [];

/** A 400 of the controller saying what config sets. */
function expectReadOnly(res: request.Response, what: RegExp) {
  expectStrapiError(res, 400);
  expect(res.body.error).toMatchObject({ name: 'ValidationError', message: expect.stringMatching(what), details: { reason: 'read_only' } });
  expect(res.body.error.message).toMatch(/config\/plugins/);
}

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'admin-settings-config',
    pluginConfig: {
      apiBaseUrl,
      credentialsCacheTtl: 600000,
      appId: DEMO.appId,
      apps: [
        { appId: SHOP.appId, appSecret: SHOP.appSecret, name: 'Shop' },
        { appId: GAME.appId, name: 'Game' },
      ],
      defaultAppId: SHOP.appId,
    },
    files: {
      'config/server.js': `module.exports = () => ({ host: '127.0.0.1', port: 0, url: 'https://api.example.com/', app: { keys: ['testKeyA', 'testKeyB'] } });\n`,
    },
  });
  token = await registerFirstAdmin(app.server);
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

test('config apps and the config default are reported as such, secrets only by their last 4; the login URL uses server.url', async () => {
  const res = await get();
  expect(res.status).toBe(200);
  expect(res.body.data).toEqual({
    configured: true,
    defaultAppId: SHOP.appId,
    defaultAppIdSource: 'config',
    linkByUnionid: true,
    apps: [
      // The 1.0 shorthand comes first.
      { appId: DEMO.appId, name: null, type: 'miniProgram', source: 'config', isDefault: false, appSecret: noSecret, identities: 0, token: noToken },
      {
        appId: SHOP.appId,
        name: 'Shop',
        type: 'miniProgram',
        source: 'config',
        isDefault: true,
        appSecret: secretView(SHOP.appSecret, 'config'),
        identities: 0,
        token: noToken,
      },
      { appId: GAME.appId, name: 'Game', type: 'miniProgram', source: 'config', isDefault: false, appSecret: noSecret, identities: 0, token: noToken },
    ],
    login: LOGIN,
  });
  expect(res.text).not.toContain(SHOP.appSecret);
});

test('a login without appId goes to the config default; a config app without a secret answers 503 naming it', async () => {
  const plain = await signIn({ code: codeFor('carol') });
  expect(plain.status).toBe(200);
  expect(plain.body.user.openid).toBe(sim.openidFor(SHOP.appId, 'carol'));
  expect(appView(await get(), SHOP.appId)?.identities).toBe(1);

  const missing = await signIn({ code: codeFor('carol'), appId: DEMO.appId });
  expectStrapiError(missing, 503);
  expect(missing.body.error.message).toContain(DEMO.appId);
  expect(missing.body.error.details).toMatchObject({ missing: ['AppSecret'], appId: DEMO.appId });
});

describe('what config sets is read-only: 400, and nothing is stored', () => {
  test('the name of a config app (with or without a name in config)', async () => {
    expectReadOnly(await updateApp(SHOP.appId, { name: 'Boutique' }), /name/i);
    expectReadOnly(await updateApp(DEMO.appId, { name: 'Demo' }), /name/i);
    expectReadOnly(await updateApp(GAME.appId, { name: '', appSecret: GAME.appSecret }), /name/i);
    expect(await stored()).toBeNull();
  });

  test('the secret of a config app whose secret config sets', async () => {
    expectReadOnly(await updateApp(SHOP.appId, { appSecret: WRONG_SECRET }), /AppSecret/);
    expect(await stored()).toBeNull();
    expect(appView(await get(), SHOP.appId)?.appSecret).toEqual(secretView(SHOP.appSecret, 'config'));
  });

  test('an AppID config lists cannot be added again (any letter case)', async () => {
    for (const appId of [SHOP.appId, DEMO.appId, DEMO.appId.replace('abcdef', 'ABCDEF')]) {
      const res = await addApp({ appId, appSecret: WRONG_SECRET });
      expectStrapiError(res, 400);
      expect(res.body.error).toMatchObject({ message: expect.stringContaining(appId), details: { reason: 'duplicate' } });
    }
    expect(await stored()).toBeNull();
  });

  test('a config app cannot be removed', async () => {
    expectReadOnly(await removeApp(SHOP.appId), /app/);
    expectReadOnly(await removeApp(DEMO.appId), /app/);
    expect(await stored()).toBeNull();
    expect(appsOf(await get()).map((a) => a.appId)).toEqual([DEMO.appId, SHOP.appId, GAME.appId]);
  });

  test('the default app, when config sets defaultAppId', async () => {
    expectReadOnly(await setDefault(GAME.appId), /defaultAppId/);
    expectReadOnly(await setDefault(SHOP.appId), /defaultAppId/);
    expect(await stored()).toBeNull();
    expect((await get()).body.data).toMatchObject({ defaultAppId: SHOP.appId, defaultAppIdSource: 'config' });
  });

  test('saving a config app with nothing to save stores nothing for it', async () => {
    expect((await updateApp(SHOP.appId, {})).status).toBe(200);
    expect((await updateApp(GAME.appId, { appSecret: '' })).status).toBe(200);
    expect(await storedApps()).toEqual([]);
  });
});

describe('a secret config leaves out is saved from the admin panel', () => {
  test('the 1.0 shorthand app: secret saved, login works from the next request', async () => {
    const res = await updateApp(DEMO.appId, { appSecret: DEMO.appSecret });
    expect(res.status).toBe(200);
    expect(appView(res, DEMO.appId)).toEqual({
      appId: DEMO.appId,
      name: null,
      type: 'miniProgram',
      source: 'config',
      isDefault: false,
      appSecret: secretView(DEMO.appSecret, 'store'),
      identities: 0,
      token: noToken,
    });
    expect(res.text).not.toContain(DEMO.appSecret);
    expect(await storedApps()).toEqual([{ appId: DEMO.appId, appSecret: DEMO.appSecret }]);

    const viaDemo = await signIn({ code: codeFor('carol'), appId: DEMO.appId });
    expect(viaDemo.status).toBe(200);
    expect(viaDemo.body.user.openid).toBe(sim.openidFor(DEMO.appId, 'carol'));
    expect(appView(await get(), DEMO.appId)?.identities).toBe(1);
  });

  test('an `apps` entry without a secret: saved, replaced, an empty secret keeps it', async () => {
    expect(appView(await updateApp(GAME.appId, { appSecret: WRONG_SECRET }), GAME.appId)).toMatchObject({
      name: 'Game',
      source: 'config',
      appSecret: secretView(WRONG_SECRET, 'store'),
    });
    expectStrapiError(await signIn({ code: codeFor('dave'), appId: GAME.appId }), 502);
    expect((await updateApp(GAME.appId, { appSecret: GAME.appSecret })).status).toBe(200);
    expect((await updateApp(GAME.appId, { appSecret: '' })).status).toBe(200);
    expect((await updateApp(GAME.appId, {})).status).toBe(200);
    expect(await storedApps()).toEqual([
      { appId: DEMO.appId, appSecret: DEMO.appSecret },
      { appId: GAME.appId, appSecret: GAME.appSecret },
    ]);
    const viaGame = await signIn({ code: codeFor('dave'), appId: GAME.appId });
    expect(viaGame.status).toBe(200);
    expect(viaGame.body.user.openid).toBe(sim.openidFor(GAME.appId, 'dave'));
  });

  test('per field, config wins over what the store holds', async () => {
    const saved = await pluginStore().get({ key: 'settings' });
    await pluginStore().set({ key: 'settings', value: { ...saved, apps: [...saved.apps, { appId: SHOP.appId, name: 'Stored', appSecret: WRONG_SECRET }] } });
    const res = await get();
    expect(appView(res, SHOP.appId)).toMatchObject({ name: 'Shop', source: 'config', appSecret: secretView(SHOP.appSecret, 'config') });
    expect((await signIn({ code: codeFor('carol') })).status).toBe(200);
    await pluginStore().set({ key: 'settings', value: saved });
  });
});

describe('store apps alongside config apps', () => {
  test('an app added from the admin panel comes after the config apps, and can be removed; its identities stay', async () => {
    const added = await addApp({ appId: EXTRA.appId, name: 'Extra', appSecret: EXTRA.appSecret });
    expect(added.status).toBe(200);
    expect(appsOf(added).map((a) => [a.appId, a.source])).toEqual([
      [DEMO.appId, 'config'],
      [SHOP.appId, 'config'],
      [GAME.appId, 'config'],
      [EXTRA.appId, 'store'],
    ]);
    expect(appView(added, EXTRA.appId)).toEqual({
      appId: EXTRA.appId,
      name: 'Extra',
      type: 'miniProgram',
      source: 'store',
      isDefault: false,
      appSecret: secretView(EXTRA.appSecret, 'store'),
      identities: 0,
      token: noToken,
    });
    // defaultAppId from config: not even a store app can be made default.
    expectReadOnly(await setDefault(EXTRA.appId), /defaultAppId/);

    const erin = await signIn({ code: codeFor('erin'), appId: EXTRA.appId });
    expect(erin.status).toBe(200);
    expect(appView(await get(), EXTRA.appId)?.identities).toBe(1);

    const removed = await removeApp(EXTRA.appId);
    expect(removed.status).toBe(200);
    expect(appsOf(removed).map((a) => a.appId)).toEqual([DEMO.appId, SHOP.appId, GAME.appId]);
    expect(await countIdentities(app.strapi, { appId: EXTRA.appId })).toBe(1);
    const refused = await signIn({ code: codeFor('erin'), appId: EXTRA.appId });
    expectStrapiError(refused, 400);
    expect(refused.body.error.message).toContain(EXTRA.appId);

    expect((await addApp({ appId: EXTRA.appId, appSecret: EXTRA.appSecret })).status).toBe(200);
    expect((await signIn({ code: codeFor('erin'), appId: EXTRA.appId })).body.user?.id).toBe(erin.body.user.id);
  });
});

describe('Test credentials', () => {
  test('a config app with its config secret, a config app with its stored secret', async () => {
    expect((await testCredentials({ appId: SHOP.appId })).body.data).toMatchObject({ ok: true, appId: SHOP.appId });
    expect((await testCredentials({ appId: DEMO.appId })).body.data).toMatchObject({ ok: true, appId: DEMO.appId });
  });

  test('an entered secret is tested even for an app whose secret config sets', async () => {
    expect((await testCredentials({ appId: SHOP.appId, appSecret: WRONG_SECRET })).body.data).toMatchObject({
      ok: false,
      appId: SHOP.appId,
      reason: 'invalid_secret',
    });
  });
});

describe('secrets', () => {
  test('no response of this file and no log line carries an AppSecret', () => {
    expectNoSecrets(responses.text(), SECRETS);
    expectNoSecrets(app.logs.text(), SECRETS);
  });

  test('saves are logged by admin user and AppID', () => {
    expect(app.logs.text()).toMatch(new RegExp(`app ${DEMO.appId} changed by admin user #\\d+: name kept, AppSecret replaced`));
    expect(app.logs.text()).toMatch(new RegExp(`app ${EXTRA.appId} added by admin user #\\d+`));
  });
});
