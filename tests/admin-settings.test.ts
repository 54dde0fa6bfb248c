/**
 * The admin panel's settings API (/strapi-wechat-miniprogram-auth/settings: the app list, see
 * docs/design/apps-and-identities.md "Admin API") against a real Strapi 4.26 and the WeChat
 * simulator, with no app in config: admin JWT, RBAC, validation, the write-only secret, adding,
 * renaming, re-keying and removing apps, the default app, identity counts, the credential check,
 * the 1.0 store shape, and logins that use what the admin saved from the very next request.
 */
import request from 'supertest';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { storedSettings } from './helpers/stored-settings';
import { adminWithRole, createRole, registerFirstAdmin, ROLE, roleId } from './helpers/admin';
import { codeFor, expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { countIdentities } from './helpers/identities';
import { SimulatedApp, DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';
import { noToken, secretView, appsOf, appView } from './helpers/settings-view';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const BASE = `/${PLUGIN}/settings`;
const READ = `plugin::${PLUGIN}.settings.read`;
const UPDATE = `plugin::${PLUGIN}.settings.update`;
const LOGIN = { path: `/${PLUGIN}/login`, url: null };

/** DEMO and OTHER are bound to the same Open Platform account: one person is one user across them. */
const OPEN_PLATFORM = 'op-admin-settings';
const DEMO: SimulatedApp = { ...DEMO_APP, openPlatformId: OPEN_PLATFORM };
const OTHER: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210', openPlatformId: OPEN_PLATFORM };
/** A new secret for OTHER (WeChat's "reset AppSecret"). */
const OTHER_NEW_SECRET = '99999999999999999999999999999999';
const FENCED: SimulatedApp = { appId: 'wx00000000000000ff', appSecret: 'ffffffffffffffffffffffffffffffff', ipWhitelisted: false };
/** Well formed, unknown to WeChat and never added. */
const STRANGER = 'wx1111111111111111';
const WRONG_SECRET = 'abcdefabcdefabcdefabcdefabcdef00';
const SECRETS = [DEMO.appSecret, OTHER.appSecret, OTHER_NEW_SECRET, FENCED.appSecret, WRONG_SECRET];

const sim = new WeChatSimulator({ apps: [DEMO, OTHER, FENCED] });
const responses = new ResponseLog();
let app: TestApp;
const tokens = {} as Record<'superAdmin' | 'editor' | 'author' | 'reader' | 'writer', string>;

type Method = 'get' | 'put' | 'post' | 'delete';
async function call(method: Method, path: string, token?: string, body?: unknown) {
  let req = request(app.server)[method](`${BASE}${path}`);
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  return responses.add(await (body === undefined ? req : req.send(body as object)));
}
const getSettings = (token = tokens.superAdmin) => call('get', '', token);
const addApp = (body: unknown, token = tokens.superAdmin) => call('post', '/apps', token, body);
const updateApp = (appId: string, body: unknown, token = tokens.superAdmin) => call('put', `/apps/${encodeURIComponent(appId)}`, token, body);
const removeApp = (appId: string, token = tokens.superAdmin) => call('delete', `/apps/${encodeURIComponent(appId)}`, token);
const setDefault = (body: unknown, token = tokens.superAdmin) => call('put', '/default', token, body);
const testCredentials = (body: unknown, token = tokens.superAdmin) => call('post', '/test', token, body);
const signIn = async (body: unknown) => responses.add(await login(app.server, body));

const pluginStore = () => app.strapi.store({ type: 'plugin', name: PLUGIN });
/** The stored settings, AppSecrets opened (each must be sealed in the store). */
const stored = (): Promise<Untyped> => storedSettings(app.strapi);

/** Every write route, with a valid body, for the access tests. */
const WRITES: Array<[string, (token: string) => Promise<request.Response>]> = [
  ['POST /settings/apps', (t) => addApp({ appId: DEMO.appId, appSecret: DEMO.appSecret }, t)],
  ['PUT /settings/apps/:appId', (t) => updateApp(DEMO.appId, { name: 'Demo' }, t)],
  ['DELETE /settings/apps/:appId', (t) => removeApp(DEMO.appId, t)],
  ['PUT /settings/default', (t) => setDefault({ appId: DEMO.appId }, t)],
  ['POST /settings/test', (t) => testCredentials({ appId: DEMO.appId, appSecret: DEMO.appSecret }, t)],
];

/** The field errors of a Strapi ValidationError, as { path: message }. */
function fieldErrors(res: request.Response): Record<string, string> {
  expectStrapiError(res, 400);
  expect(res.body.error.name).toBe('ValidationError');
  return Object.fromEntries((res.body.error.details.errors as { path: string[]; message: string }[]).map((e) => [e.path.join('.'), e.message]));
}

/** A 400 ValidationError of the controller (not a field error): its message and reason. */
function refusal(res: request.Response): { message: string; reason: unknown } {
  expectStrapiError(res, 400);
  expect(res.body.error.name).toBe('ValidationError');
  return { message: res.body.error.message, reason: res.body.error.details?.reason };
}

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  // No app in config: the admin panel provides them. A long cache TTL: a save on this instance must
  // still be seen by the very next login (the cache is dropped on save, not left to expire).
  app = await startTestApp({ name: 'admin-settings', pluginConfig: { apiBaseUrl, timeout: 1000, credentialsCacheTtl: 600000 } });
  const { strapi, server } = app;
  tokens.superAdmin = await registerFirstAdmin(server);
  tokens.editor = await adminWithRole(strapi, server, 'editor@example.com', await roleId(strapi, ROLE.editor));
  tokens.author = await adminWithRole(strapi, server, 'author@example.com', await roleId(strapi, ROLE.author));
  tokens.reader = await adminWithRole(strapi, server, 'reader@example.com', await createRole(strapi, 'WeChat reader', [READ]));
  tokens.writer = await adminWithRole(strapi, server, 'writer@example.com', await createRole(strapi, 'WeChat writer', [READ, UPDATE]));
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

describe('RBAC', () => {
  test('the plugin registers its read and update actions, and the Super Admin role holds them', async () => {
    const provider = app.strapi.admin.services.permission.actionProvider;
    expect(provider.get(READ)).toMatchObject({ section: 'plugins', pluginName: PLUGIN, subCategory: 'settings' });
    expect(provider.get(UPDATE)).toMatchObject({ section: 'plugins', pluginName: PLUGIN });
    const superAdmin = await app.strapi.admin.services.role.getSuperAdmin();
    const actions = (await app.strapi.admin.services.permission.findMany({ where: { role: { id: superAdmin.id } } })).map((p: { action: string }) => p.action);
    expect(actions).toEqual(expect.arrayContaining([READ, UPDATE]));
  });

  test('without an admin JWT every settings route answers 401', async () => {
    expectStrapiError(await getSettings(''), 401);
    for (const [, write] of WRITES) expectStrapiError(await write(''), 401);
    expect(await stored()).toBeNull();
    expect(sim.getStats().stableToken).toBe(0);
  });

  test('a users-permissions (content API) JWT is not an admin JWT: 401 on every route', async () => {
    const jwt = app.strapi.plugin('users-permissions').service('jwt').issue({ id: 1 });
    expectStrapiError(await getSettings(jwt), 401);
    for (const [, write] of WRITES) expectStrapiError(await write(jwt), 401);
    expect(await stored()).toBeNull();
  });

  test.each(['editor', 'author'] as const)('the default %s role has no access: 403 on read, every write and the test', async (role) => {
    expectStrapiError(await getSettings(tokens[role]), 403);
    for (const [, write] of WRITES) expectStrapiError(await write(tokens[role]), 403);
    expect(await stored()).toBeNull();
    expect(sim.getStats().stableToken).toBe(0);
  });

  test('a role with only "Read settings" can read but neither write nor test', async () => {
    expect((await getSettings(tokens.reader)).status).toBe(200);
    for (const [, write] of WRITES) expectStrapiError(await write(tokens.reader), 403);
    expect(await stored()).toBeNull();
    expect(sim.getStats().stableToken).toBe(0);
  });
});

describe('validation: 400 with a message per field, and nothing stored', () => {
  test('before anything is saved: not configured, no app, no default, and the login path', async () => {
    const res = await getSettings();
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      configured: false,
      defaultAppId: null,
      defaultAppIdSource: null,
      linkByUnionid: true,
      apps: [],
      login: LOGIN,
    });
  });

  test('a malformed AppID and AppSecret: one message each', async () => {
    const errors = fieldErrors(await addApp({ appId: 'wx123', appSecret: 'not-a-secret' }));
    expect(errors).toEqual({
      appId: expect.stringMatching(/"wx" followed by 16 hexadecimal characters/),
      appSecret: expect.stringMatching(/32 hexadecimal characters/),
    });
    expect(await stored()).toBeNull();
  });

  test.each([
    ['an AppID with a space', { appId: ` ${DEMO.appId}`, appSecret: DEMO.appSecret }, ['appId']],
    ['an AppID that is not a string', { appId: 12, appSecret: DEMO.appSecret }, ['appId']],
    ['no AppID', { appSecret: DEMO.appSecret }, ['appId']],
    ['a 31-character secret', { appId: DEMO.appId, appSecret: DEMO.appSecret.slice(1) }, ['appSecret']],
    ['a secret with non-hex characters', { appId: DEMO.appId, appSecret: 'g'.repeat(32) }, ['appSecret']],
    ['no secret', { appId: DEMO.appId }, ['appSecret']],
    ['an empty secret', { appId: DEMO.appId, appSecret: '' }, ['appSecret']],
    ['a name of 65 characters', { appId: DEMO.appId, appSecret: DEMO.appSecret, name: 'n'.repeat(65) }, ['name']],
    ['a name with a leading space', { appId: DEMO.appId, appSecret: DEMO.appSecret, name: ' Demo' }, ['name']],
    ['a name that is not a string', { appId: DEMO.appId, appSecret: DEMO.appSecret, name: 7 }, ['name']],
  ])('adding an app with %s: 400 naming that field', async (_name, body, paths) => {
    expect(Object.keys(fieldErrors(await addApp(body)))).toEqual(paths);
    expect(await stored()).toBeNull();
  });

  test('a secret sent with the wrong type is refused without being echoed', async () => {
    for (const res of [
      await addApp({ appId: DEMO.appId, appSecret: [DEMO.appSecret] }),
      await addApp({ appId: DEMO.appId, appSecret: { value: DEMO.appSecret } }),
    ]) {
      expect(fieldErrors(res)).toEqual({ appSecret: expect.any(String) });
      expect(res.text).not.toContain(DEMO.appSecret);
    }
    const notAnObject = await addApp([DEMO.appId, DEMO.appSecret]);
    expectStrapiError(notAnObject, 400);
    expect(notAnObject.text).not.toContain(DEMO.appSecret);
    expect(await stored()).toBeNull();
  });

  test('an unknown field or a body that is not an object: 400', async () => {
    expectStrapiError(await addApp({ appId: DEMO.appId, appSecret: DEMO.appSecret, apiBaseUrl: 'http://evil.example' }), 400);
    expectStrapiError(await addApp([DEMO.appId]), 400);
    expectStrapiError(await setDefault([DEMO.appId]), 400);
    expect(await stored()).toBeNull();
  });

  test('changing, removing or making default an app that is not listed: 404 / 400, nothing stored', async () => {
    expectStrapiError(await updateApp(DEMO.appId, { name: 'Demo' }), 404);
    expectStrapiError(await removeApp(DEMO.appId), 404);
    expect(refusal(await setDefault({ appId: DEMO.appId }))).toEqual({ message: expect.stringContaining(DEMO.appId), reason: 'unknown_app' });
    expect(Object.keys(fieldErrors(await setDefault({ appId: 'wx12' })))).toEqual(['appId']);
    expect(Object.keys(fieldErrors(await updateApp('wx12', { name: 'Demo' })))).toEqual(['appId']);
    expect(Object.keys(fieldErrors(await removeApp('wx12')))).toEqual(['appId']);
    expect(await stored()).toBeNull();
  });
});

describe('the app list', () => {
  test('adding the first app stores it and answers without the secret: only its last 4 characters; it is the default', async () => {
    const res = await addApp({ appId: DEMO.appId, appSecret: DEMO.appSecret });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      configured: true,
      defaultAppId: DEMO.appId,
      defaultAppIdSource: 'first',
      linkByUnionid: true,
      apps: [
        {
          appId: DEMO.appId,
          name: null,
          type: 'miniProgram',
          source: 'store',
          isDefault: true,
          appSecret: secretView(DEMO.appSecret),
          identities: 0,
          token: noToken,
        },
      ],
      login: LOGIN,
    });
    expect(res.text).not.toContain(DEMO.appSecret);
    expect(await stored()).toEqual({ apps: [{ appId: DEMO.appId, appSecret: DEMO.appSecret }] });

    const read = await getSettings(tokens.reader);
    expect(read.body.data).toEqual(res.body.data);
    expect(read.text).not.toContain(DEMO.appSecret);
  });

  test('a role with "Update settings" can add a second app, with a name', async () => {
    const res = await addApp({ appId: OTHER.appId, name: 'Shop', appSecret: OTHER.appSecret }, tokens.writer);
    expect(res.status).toBe(200);
    expect(res.body.data.apps).toEqual([
      expect.objectContaining({ appId: DEMO.appId, isDefault: true }),
      {
        appId: OTHER.appId,
        name: 'Shop',
        type: 'miniProgram',
        source: 'store',
        isDefault: false,
        appSecret: secretView(OTHER.appSecret),
        identities: 0,
        token: noToken,
      },
    ]);
    expect(res.body.data.defaultAppId).toBe(DEMO.appId);
    expect(res.text).not.toContain(OTHER.appSecret);
    expect(await stored()).toEqual({
      apps: [
        { appId: DEMO.appId, appSecret: DEMO.appSecret },
        { appId: OTHER.appId, name: 'Shop', appSecret: OTHER.appSecret },
      ],
    });
  });

  test('an AppID already listed (in any letter case): 400, nothing changed', async () => {
    const before = await stored();
    for (const appId of [OTHER.appId, OTHER.appId.toUpperCase().replace(/^WX/, 'wx')]) {
      expect(refusal(await addApp({ appId, appSecret: WRONG_SECRET }))).toEqual({ message: expect.stringContaining(appId), reason: 'duplicate' });
    }
    expect(await stored()).toEqual(before);
  });

  test('renaming keeps the secret; an empty name removes the name', async () => {
    const renamed = await updateApp(OTHER.appId, { name: 'Shop (prod)' }, tokens.writer);
    expect(renamed.status).toBe(200);
    expect(appView(renamed, OTHER.appId)).toMatchObject({ name: 'Shop (prod)', appSecret: secretView(OTHER.appSecret) });
    expect((await stored()).apps[1]).toEqual({ appId: OTHER.appId, name: 'Shop (prod)', appSecret: OTHER.appSecret });

    expect(appView(await updateApp(DEMO.appId, { name: 'Demo' }), DEMO.appId)).toMatchObject({ name: 'Demo' });
    expect(appView(await updateApp(DEMO.appId, { name: '' }), DEMO.appId)).toMatchObject({ name: null });
    expect((await stored()).apps[0]).toEqual({ appId: DEMO.appId, appSecret: DEMO.appSecret });
  });

  test('replacing the secret: only the new last 4 in the answer; an empty or absent secret keeps it', async () => {
    const res = await updateApp(OTHER.appId, { appSecret: OTHER_NEW_SECRET });
    expect(res.status).toBe(200);
    expect(appView(res, OTHER.appId)).toMatchObject({ name: 'Shop (prod)', appSecret: secretView(OTHER_NEW_SECRET) });
    expect(res.text).not.toContain(OTHER_NEW_SECRET);
    expect((await stored()).apps[1]).toEqual({ appId: OTHER.appId, name: 'Shop (prod)', appSecret: OTHER_NEW_SECRET });

    // Back to the secret WeChat knows; then the write-only field left empty or out keeps it.
    expect((await updateApp(OTHER.appId, { appSecret: OTHER.appSecret })).status).toBe(200);
    expect((await updateApp(OTHER.appId, { appSecret: '' })).status).toBe(200);
    expect((await updateApp(OTHER.appId, {})).status).toBe(200);
    expect((await updateApp(OTHER.appId, { name: 'Shop' })).status).toBe(200);
    expect((await stored()).apps[1]).toEqual({ appId: OTHER.appId, name: 'Shop', appSecret: OTHER.appSecret });
  });

  test('a malformed change: 400 naming the field, nothing changed', async () => {
    const before = await stored();
    expect(Object.keys(fieldErrors(await updateApp(OTHER.appId, { appSecret: '123' })))).toEqual(['appSecret']);
    expect(Object.keys(fieldErrors(await updateApp(OTHER.appId, { name: 'n'.repeat(65) })))).toEqual(['name']);
    // Characters that hide or reorder text: a name that shows as another app's.
    for (const [name, character] of [
      ['Shop\u202E(dorp)', 'U+202E'],
      ['Sh\u200Bop', 'U+200B'],
      ['\u2067Shop', 'U+2067'],
    ]) {
      const refused = await updateApp(OTHER.appId, { name });
      expectStrapiError(refused, 400);
      expect(fieldErrors(refused)).toEqual({ name: expect.stringContaining(`(found ${character})`) });
    }
    const added = await addApp({ appId: STRANGER, appSecret: WRONG_SECRET, name: 'New\u200Fapp' });
    expectStrapiError(added, 400);
    expect(Object.keys(fieldErrors(added))).toEqual(['name']);
    // The AppID is the app's key: it is not a field of the change.
    expectStrapiError(await updateApp(OTHER.appId, { appId: STRANGER }), 400);
    expectStrapiError(await updateApp(OTHER.appId, [OTHER.appSecret]), 400);
    expect(await stored()).toEqual(before);
  });
});

describe('a login through the public route uses what the admin saved, from the very next request', () => {
  let alice: number;

  test('without appId: the default app; with an appId: that app; GET counts the identities per app', async () => {
    const plain = await signIn({ code: codeFor('alice') });
    expect(plain.status).toBe(200);
    expect(plain.body.user.openid).toBe(sim.openidFor(DEMO.appId, 'alice'));
    alice = plain.body.user.id;
    let view = await getSettings(tokens.reader);
    expect([appView(view, DEMO.appId)?.identities, appView(view, OTHER.appId)?.identities]).toEqual([1, 0]);

    const viaOther = await signIn({ code: codeFor('alice'), appId: OTHER.appId });
    expect(viaOther.status).toBe(200);
    expect(viaOther.body.user.openid).toBe(sim.openidFor(OTHER.appId, 'alice'));
    expect(viaOther.body.user.id).toBe(alice); // same unionid: one user, two identities
    expect((await signIn({ code: codeFor('bob'), appId: OTHER.appId })).status).toBe(200);
    view = await getSettings();
    expect([appView(view, DEMO.appId)?.identities, appView(view, OTHER.appId)?.identities]).toEqual([1, 2]);
    // Again through the same app: no new identity.
    expect((await signIn({ code: codeFor('alice'), appId: OTHER.appId })).body.user.id).toBe(alice);
    expect(appView(await getSettings(), OTHER.appId)?.identities).toBe(2);
  });

  test('a replaced secret is used by the next login: a wrong one fails at once, the right one works at once', async () => {
    expect((await updateApp(DEMO.appId, { appSecret: WRONG_SECRET })).status).toBe(200);
    expectStrapiError(await signIn({ code: codeFor('alice') }), 502);
    expect((await updateApp(DEMO.appId, { appSecret: DEMO.appSecret })).status).toBe(200);
    expect((await signIn({ code: codeFor('alice') })).body.user?.id).toBe(alice);
  });

  test('choosing the default app: a login without appId then goes to it', async () => {
    const res = await setDefault({ appId: OTHER.appId }, tokens.writer);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ defaultAppId: OTHER.appId, defaultAppIdSource: 'store' });
    expect(appsOf(res).map((a) => [a.appId, a.isDefault])).toEqual([
      [DEMO.appId, false],
      [OTHER.appId, true],
    ]);
    expect((await stored()).defaultAppId).toBe(OTHER.appId);
    const plain = await signIn({ code: codeFor('carol') });
    expect(plain.status).toBe(200);
    expect(plain.body.user.openid).toBe(sim.openidFor(OTHER.appId, 'carol'));

    expect((await setDefault({ appId: DEMO.appId })).body.data).toMatchObject({ defaultAppId: DEMO.appId, defaultAppIdSource: 'store' });
    expect((await signIn({ code: codeFor('carol') })).body.user.openid).toBe(sim.openidFor(DEMO.appId, 'carol'));
  });

  test('the default cannot be an app that is not listed, or a malformed AppID: 400, default unchanged', async () => {
    expect(refusal(await setDefault({ appId: STRANGER }))).toEqual({ message: expect.stringContaining(STRANGER), reason: 'unknown_app' });
    expect(Object.keys(fieldErrors(await setDefault({ appId: 'wx12' })))).toEqual(['appId']);
    expect(Object.keys(fieldErrors(await setDefault({})))).toEqual(['appId']);
    expect((await getSettings()).body.data).toMatchObject({ defaultAppId: DEMO.appId, defaultAppIdSource: 'store' });
    expect((await stored()).defaultAppId).toBe(DEMO.appId);
  });

  test('removing an app: its identities stay, a login with its appId answers 400 naming it; added again, the same users log in', async () => {
    const identitiesBefore = await countIdentities(app.strapi, { appId: OTHER.appId });
    expect(identitiesBefore).toBe(3); // alice, bob, carol
    expect((await setDefault({ appId: OTHER.appId })).status).toBe(200);
    const bob = (await signIn({ code: codeFor('bob'), appId: OTHER.appId })).body.user.id;

    const res = await removeApp(OTHER.appId, tokens.writer);
    expect(res.status).toBe(200);
    // The default was the removed app: the first app is the default again.
    expect(res.body.data).toMatchObject({ defaultAppId: DEMO.appId, defaultAppIdSource: 'first' });
    expect(appsOf(res).map((a) => a.appId)).toEqual([DEMO.appId]);
    expect(await stored()).toEqual({ apps: [{ appId: DEMO.appId, appSecret: DEMO.appSecret }] });
    expect(await countIdentities(app.strapi, { appId: OTHER.appId })).toBe(identitiesBefore);

    const refused = await signIn({ code: codeFor('bob'), appId: OTHER.appId });
    expectStrapiError(refused, 400);
    expect(refused.body.error.message).toContain(OTHER.appId);
    // alice keeps her account through the other app.
    expect((await signIn({ code: codeFor('alice') })).body.user.id).toBe(alice);
    // Removing it twice: it is not listed any more.
    expectStrapiError(await removeApp(OTHER.appId), 404);

    const again = await addApp({ appId: OTHER.appId, appSecret: OTHER.appSecret });
    expect(again.status).toBe(200);
    expect(appView(again, OTHER.appId)).toMatchObject({ source: 'store', isDefault: false, identities: identitiesBefore });
    expect((await signIn({ code: codeFor('bob'), appId: OTHER.appId })).body.user.id).toBe(bob);
    expect((await signIn({ code: codeFor('alice'), appId: OTHER.appId })).body.user.id).toBe(alice);
    expect(await countIdentities(app.strapi, { appId: OTHER.appId })).toBe(identitiesBefore);
  });
});

describe('Test credentials (stable_token through the server)', () => {
  test('entered credentials that WeChat accepts: ok, and no access token in the answer', async () => {
    const before = sim.getStats().stableToken;
    const res = await testCredentials({ appId: OTHER.appId, appSecret: OTHER.appSecret });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ok: true, appId: OTHER.appId, expiresIn: expect.any(Number) });
    expect(sim.getStats().stableToken).toBe(before + 1);
    expect(res.text).not.toMatch(/access_token|accessToken/);
  });

  test('an app that is not listed yet can be tested with the secret typed in (the add form)', async () => {
    const res = await testCredentials({ appId: FENCED.appId, appSecret: FENCED.appSecret });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ ok: false, appId: FENCED.appId });
  });

  test('no secret entered (or an empty one): the secret in effect for that app is tested', async () => {
    expect((await testCredentials({ appId: DEMO.appId })).body.data).toMatchObject({ ok: true, appId: DEMO.appId });
    expect((await testCredentials({ appId: OTHER.appId, appSecret: '' })).body.data).toMatchObject({ ok: true, appId: OTHER.appId });
    // The AppID in another letter case is the listed app.
    expect((await testCredentials({ appId: DEMO.appId.toUpperCase().replace(/^WX/, 'wx') })).body.data).toMatchObject({ ok: true, appId: DEMO.appId });
  });

  test('an entered secret is tested instead of the stored one (before replacing it)', async () => {
    const res = await testCredentials({ appId: DEMO.appId, appSecret: WRONG_SECRET });
    expect(res.body.data).toMatchObject({ ok: false, appId: DEMO.appId, reason: 'invalid_secret', errcode: 40125 });
    // Nothing was saved by testing.
    expect((await stored()).apps[0]).toEqual({ appId: DEMO.appId, appSecret: DEMO.appSecret });
  });

  test.each([
    [
      'a wrong secret',
      { appId: DEMO.appId, appSecret: WRONG_SECRET },
      { reason: 'invalid_secret', errcode: 40125, message: expect.stringMatching(/AppSecret does not match/) },
    ],
    [
      'an AppID WeChat does not know',
      { appId: STRANGER, appSecret: DEMO.appSecret },
      { reason: 'invalid_appid', errcode: 40013, message: expect.stringMatching(/AppID/) },
    ],
    [
      'a server IP outside the whitelist',
      { appId: FENCED.appId, appSecret: FENCED.appSecret },
      { reason: 'ip_not_whitelisted', errcode: 40164, message: expect.stringMatching(/whitelist/) },
    ],
  ])('%s: a failed check in words (200, ok: false)', async (_name, body, failure) => {
    const res = await testCredentials(body);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ok: false, appId: body.appId, ...failure });
  });

  test.each([
    ['the connection is reset', 'network', { kind: 'reset' } as const],
    ['WeChat does not answer in time', 'timeout', { kind: 'delay', ms: 1300 } as const],
    ['WeChat answers HTTP 500', 'bad_response', { kind: 'http500' } as const],
    ['WeChat is busy (errcode -1)', 'wechat_error', { kind: 'errcode', errcode: -1 } as const],
  ])('%s: reason %s', async (_name, reason, fault) => {
    sim.setFault(fault, 1);
    const res = await testCredentials({ appId: DEMO.appId });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ ok: false, reason, appId: DEMO.appId });
    expect(res.text).not.toMatch(/access_token|accessToken/);
  });

  test('malformed entries: 400 with field details, and WeChat is not called', async () => {
    const before = sim.getStats().stableToken;
    expect(Object.keys(fieldErrors(await testCredentials({ appId: 'wxZZ', appSecret: '123' }))).sort()).toEqual(['appId', 'appSecret']);
    expect(Object.keys(fieldErrors(await testCredentials({})))).toEqual(['appId']);
    expect(Object.keys(fieldErrors(await testCredentials({ appId: '', appSecret: '' })))).toEqual(['appId']);
    expectStrapiError(await testCredentials({ appId: DEMO.appId, extra: true }), 400);
    expectStrapiError(await testCredentials([DEMO.appId]), 400);
    const typed = await testCredentials({ appId: DEMO.appId, appSecret: [WRONG_SECRET] });
    expect(Object.keys(fieldErrors(typed))).toEqual(['appSecret']);
    expect(typed.text).not.toContain(WRONG_SECRET);
    expect(sim.getStats().stableToken).toBe(before);
  });

  test('no secret entered and none stored for that AppID: 400 saying so, and WeChat is not called', async () => {
    const before = sim.getStats().stableToken;
    expect(refusal(await testCredentials({ appId: STRANGER }))).toEqual({ message: expect.stringMatching(/No AppSecret/), reason: 'no_secret' });
    expect(sim.getStats().stableToken).toBe(before);
  });
});

describe('the 1.0 store shape', () => {
  test('{ appId, appSecret } written directly into the plugin store is read as one app, and logins use it', async () => {
    await pluginStore().set({ key: 'settings', value: { appId: OTHER.appId, appSecret: OTHER.appSecret } });
    const res = await getSettings();
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      configured: true,
      defaultAppId: OTHER.appId,
      defaultAppIdSource: 'first',
      linkByUnionid: true,
      apps: [
        {
          appId: OTHER.appId,
          name: null,
          type: 'miniProgram',
          source: 'store',
          isDefault: true,
          appSecret: secretView(OTHER.appSecret),
          identities: 3,
          token: noToken,
        },
      ],
      login: LOGIN,
    });
    expect(res.text).not.toContain(OTHER.appSecret);

    const plain = await signIn({ code: codeFor('bob') });
    expect(plain.status).toBe(200);
    expect(plain.body.user.openid).toBe(sim.openidFor(OTHER.appId, 'bob'));
    expectStrapiError(await signIn({ code: codeFor('alice'), appId: DEMO.appId }), 400);
  });

  test('the next save writes the current shape, with that app kept', async () => {
    const res = await addApp({ appId: DEMO.appId, appSecret: DEMO.appSecret, name: 'Demo' });
    expect(res.status).toBe(200);
    expect(appsOf(res).map((a) => [a.appId, a.isDefault])).toEqual([
      [OTHER.appId, true],
      [DEMO.appId, false],
    ]);
    expect(await stored()).toEqual({
      apps: [
        { appId: OTHER.appId, appSecret: OTHER.appSecret },
        { appId: DEMO.appId, name: 'Demo', appSecret: DEMO.appSecret },
      ],
    });
    expect((await signIn({ code: codeFor('alice'), appId: DEMO.appId })).body.user?.id).toBeDefined();
  });
});

describe('secrets', () => {
  test('no response of this file and no log line carries an AppSecret', () => {
    expectNoSecrets(responses.text(), SECRETS);
    expectNoSecrets(app.logs.text(), SECRETS);
  });

  test('saves are logged, by admin user and AppID only; checks by AppID', () => {
    const logs = app.logs.text();
    expect(logs).toMatch(new RegExp(`app ${OTHER.appId} added by admin user #\\d+`));
    expect(logs).toMatch(new RegExp(`app ${OTHER.appId} changed by admin user #\\d+: name changed, AppSecret kept`));
    expect(logs).toMatch(new RegExp(`app ${OTHER.appId} changed by admin user #\\d+: name kept, AppSecret replaced`));
    expect(logs).toMatch(new RegExp(`app ${OTHER.appId} removed by admin user #\\d+`));
    expect(logs).toMatch(new RegExp(`default app set to ${OTHER.appId} by admin user #\\d+`));
    expect(logs).toMatch(new RegExp(`credential check for AppID ${DEMO.appId}: The AppSecret does not match`));
    // The names an admin typed are not logged either (only AppIDs identify apps in the log).
    expect(logs).not.toContain('Shop (prod)');
  });
});
