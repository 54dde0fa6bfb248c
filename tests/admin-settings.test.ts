/**
 * The admin panel's settings API (/strapi-wechat-miniprogram-auth/settings) against a real
 * Strapi 4.26 and the WeChat simulator: admin JWT, RBAC, the write-only secret, validation,
 * the credential check, and a login that uses what the admin saved.
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { adminWithRole, createRole, registerFirstAdmin, ROLE, roleId } from './helpers/admin';
import { codeFor, expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const BASE = '/strapi-wechat-miniprogram-auth/settings';
const READ = 'plugin::strapi-wechat-miniprogram-auth.settings.read';
const UPDATE = 'plugin::strapi-wechat-miniprogram-auth.settings.update';

const OTHER_APP: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210' };
const FENCED_APP: SimulatedApp = { appId: 'wx00000000000000ff', appSecret: 'ffffffffffffffffffffffffffffffff', ipWhitelisted: false };
const WRONG_SECRET = 'abcdefabcdefabcdefabcdefabcdef00';
const SECRETS = [DEMO_APP.appSecret, OTHER_APP.appSecret, FENCED_APP.appSecret, WRONG_SECRET];

const sim = new WeChatSimulator({ apps: [DEMO_APP, OTHER_APP, FENCED_APP] });
const responses = new ResponseLog();
let app: TestApp;
const tokens: Record<'superAdmin' | 'editor' | 'author' | 'reader' | 'writer', string> = {} as never;

type Method = 'get' | 'put' | 'post';
async function call(method: Method, path: string, token?: string, body?: unknown) {
  let req = request(app.server)[method](path);
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  return responses.add(await (body === undefined ? req : req.send(body as object)));
}
const getSettings = (token = tokens.superAdmin) => call('get', BASE, token);
const putSettings = (body: unknown, token = tokens.superAdmin) => call('put', BASE, token, body);
const testCredentials = (body: unknown, token = tokens.superAdmin) => call('post', `${BASE}/test`, token, body);
const stored = () => app.strapi.store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' }).get({ key: 'settings' });

/** The field errors of a Strapi ValidationError, as { path: message }. */
function fieldErrors(res: request.Response): Record<string, string> {
  expectStrapiError(res, 400);
  expect(res.body.error.name).toBe('ValidationError');
  return Object.fromEntries(
    (res.body.error.details.errors as { path: string[]; message: string }[]).map((e) => [e.path.join('.'), e.message])
  );
}

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  // No credentials in config: the admin panel provides them.
  app = await startTestApp({ name: 'admin-settings', pluginConfig: { apiBaseUrl, timeout: 1000 } });
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
    expect(provider.get(READ)).toMatchObject({ section: 'plugins', pluginName: 'strapi-wechat-miniprogram-auth', subCategory: 'settings' });
    expect(provider.get(UPDATE)).toMatchObject({ section: 'plugins', pluginName: 'strapi-wechat-miniprogram-auth' });
    const superAdmin = await app.strapi.admin.services.role.getSuperAdmin();
    const actions = (await app.strapi.admin.services.permission.findMany({ where: { role: { id: superAdmin.id } } })).map(
      (p: { action: string }) => p.action
    );
    expect(actions).toEqual(expect.arrayContaining([READ, UPDATE]));
  });

  test('without an admin JWT every settings route answers 401', async () => {
    expectStrapiError(await getSettings(''), 401);
    expectStrapiError(await putSettings({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }, ''), 401);
    expectStrapiError(await testCredentials({}, ''), 401);
  });

  test('a users-permissions (content API) JWT is not an admin JWT: 401', async () => {
    const jwt = app.strapi.plugin('users-permissions').service('jwt').issue({ id: 1 });
    expectStrapiError(await getSettings(jwt), 401);
  });

  test.each(['editor', 'author'] as const)('the default %s role has no access: 403 on read, update and test', async (role) => {
    expectStrapiError(await getSettings(tokens[role]), 403);
    expectStrapiError(await putSettings({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }, tokens[role]), 403);
    expectStrapiError(await testCredentials({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }, tokens[role]), 403);
    expect(await stored()).toBeNull();
    expect(sim.getStats().stableToken).toBe(0);
  });

  test('a role with only "Read settings" can read but neither save nor test', async () => {
    expect((await getSettings(tokens.reader)).status).toBe(200);
    expectStrapiError(await putSettings({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }, tokens.reader), 403);
    expectStrapiError(await testCredentials({}, tokens.reader), 403);
    expect(await stored()).toBeNull();
  });
});

describe('reading and saving', () => {
  test('before anything is saved: not configured, nothing set, and the login path', async () => {
    const res = await getSettings();
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      configured: false,
      appId: { value: null, source: null },
      appSecret: { isSet: false, last4: null, source: null },
      login: { path: '/strapi-wechat-miniprogram-auth/login', url: null },
    });
  });

  test('invalid values: 400 ValidationError with a message per field, and nothing is stored', async () => {
    const errors = fieldErrors(await putSettings({ appId: 'wx123', appSecret: 'not-a-secret' }));
    expect(errors).toEqual({
      appId: expect.stringMatching(/"wx" followed by 16 hexadecimal characters/),
      appSecret: expect.stringMatching(/32 hexadecimal characters/),
    });
    expect(await stored()).toBeNull();
  });

  test.each([
    ['an AppID with a space', { appId: ` ${DEMO_APP.appId}`, appSecret: DEMO_APP.appSecret }, ['appId']],
    ['an AppID that is not a string', { appId: 12, appSecret: DEMO_APP.appSecret }, ['appId']],
    ['a 31-character secret', { appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret.slice(1) }, ['appSecret']],
    ['a secret with non-hex characters', { appId: DEMO_APP.appId, appSecret: 'g'.repeat(32) }, ['appSecret']],
    ['no secret while none is stored', { appId: DEMO_APP.appId }, ['appSecret']],
    ['an empty secret while none is stored', { appId: DEMO_APP.appId, appSecret: '' }, ['appSecret']],
    ['no AppID while none is stored', { appSecret: DEMO_APP.appSecret }, ['appId']],
  ])('%s: 400 naming that field', async (_name, body, paths) => {
    expect(Object.keys(fieldErrors(await putSettings(body)))).toEqual(paths);
    expect(await stored()).toBeNull();
  });

  test('an unknown field or a body that is not an object: 400', async () => {
    expectStrapiError(await putSettings({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret, apiBaseUrl: 'http://evil.example' }), 400);
    expectStrapiError(await putSettings([DEMO_APP.appId]), 400);
    expect(await stored()).toBeNull();
  });

  test('a valid save stores both values and answers without the secret: only its last 4 characters', async () => {
    const res = await putSettings({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      configured: true,
      appId: { value: DEMO_APP.appId, source: 'store' },
      appSecret: { isSet: true, last4: DEMO_APP.appSecret.slice(-4), source: 'store' },
    });
    expect(res.text).not.toContain(DEMO_APP.appSecret);
    expect(await stored()).toEqual({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret });

    const read = await getSettings(tokens.reader);
    expect(read.body.data).toEqual(res.body.data);
    expect(read.text).not.toContain(DEMO_APP.appSecret);
  });

  test('saving with the secret left empty (or left out) keeps the stored secret', async () => {
    expect((await putSettings({ appId: DEMO_APP.appId, appSecret: '' })).status).toBe(200);
    expect((await putSettings({ appId: DEMO_APP.appId })).status).toBe(200);
    expect(await stored()).toEqual({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret });
  });

  test('a role with "Update settings" can save', async () => {
    const res = await putSettings({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }, tokens.writer);
    expect(res.status).toBe(200);
  });
});

describe('a login through the public route uses what the admin saved, from the very next request', () => {
  test('the saved demo credentials', async () => {
    const res = await login(app.server, { code: codeFor('alice') });
    expect(res.status).toBe(200);
    expect(res.body.user.openid).toBe(sim.openidFor(DEMO_APP.appId, 'alice'));
  });

  test('after saving another mini program, the next login is for that one (no stale copy)', async () => {
    expect((await putSettings({ appId: OTHER_APP.appId, appSecret: OTHER_APP.appSecret })).status).toBe(200);
    const res = await login(app.server, { code: codeFor('alice') });
    expect(res.status).toBe(200);
    expect(res.body.user.openid).toBe(sim.openidFor(OTHER_APP.appId, 'alice'));

    // Back to the demo app; a wrong secret saved by an admin shows at once too.
    expect((await putSettings({ appId: DEMO_APP.appId, appSecret: WRONG_SECRET })).status).toBe(200);
    expectStrapiError(await login(app.server, { code: codeFor('alice') }), 502);
    expect((await putSettings({ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret })).status).toBe(200);
    expect((await login(app.server, { code: codeFor('alice') })).status).toBe(200);
  });
});

describe('Test credentials (stable_token through the server)', () => {
  test('entered credentials that WeChat accepts: ok, and no access token in the answer', async () => {
    const before = sim.getStats().stableToken;
    const res = await testCredentials({ appId: OTHER_APP.appId, appSecret: OTHER_APP.appSecret });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ ok: true, appId: OTHER_APP.appId, expiresIn: expect.any(Number) });
    expect(sim.getStats().stableToken).toBe(before + 1);
    expect(res.text).not.toMatch(/access_token|accessToken/);
  });

  test('with empty fields the stored credentials are tested', async () => {
    const res = await testCredentials({ appId: '', appSecret: '' });
    expect(res.body.data).toMatchObject({ ok: true, appId: DEMO_APP.appId });
    expect((await testCredentials({})).body.data).toMatchObject({ ok: true, appId: DEMO_APP.appId });
  });

  test('an entered AppID with the stored secret', async () => {
    const res = await testCredentials({ appId: OTHER_APP.appId });
    expect(res.body.data).toMatchObject({ ok: false, appId: OTHER_APP.appId, reason: 'invalid_secret', errcode: 40125 });
  });

  test.each([
    ['a wrong secret', { appId: DEMO_APP.appId, appSecret: WRONG_SECRET }, { reason: 'invalid_secret', errcode: 40125, message: expect.stringMatching(/AppSecret does not match/) }],
    ['an AppID WeChat does not know', { appId: 'wx1111111111111111', appSecret: DEMO_APP.appSecret }, { reason: 'invalid_appid', errcode: 40013, message: expect.stringMatching(/AppID/) }],
    ['a server IP outside the whitelist', { appId: FENCED_APP.appId, appSecret: FENCED_APP.appSecret }, { reason: 'ip_not_whitelisted', errcode: 40164, message: expect.stringMatching(/whitelist/) }],
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
    const res = await testCredentials({});
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ ok: false, reason, appId: DEMO_APP.appId });
  });

  test('malformed entries: 400 with field details, and WeChat is not called', async () => {
    const before = sim.getStats().stableToken;
    const errors = fieldErrors(await testCredentials({ appId: 'wxZZ', appSecret: '123' }));
    expect(Object.keys(errors).sort()).toEqual(['appId', 'appSecret']);
    expect(sim.getStats().stableToken).toBe(before);
  });

  test('nothing entered and nothing stored: 400 naming what is missing', async () => {
    await app.strapi.store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' }).set({ key: 'settings', value: {} });
    const errors = fieldErrors(await testCredentials({}));
    expect(errors).toEqual({ appId: expect.stringMatching(/No AppID/), appSecret: expect.stringMatching(/No AppSecret/) });
    await app.strapi
      .store({ type: 'plugin', name: 'strapi-wechat-miniprogram-auth' })
      .set({ key: 'settings', value: { appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret } });
  });
});

describe('secrets', () => {
  test('no response of this file and no log line carries an AppSecret', () => {
    expectNoSecrets(responses.text(), SECRETS);
    expectNoSecrets(app.logs.text(), SECRETS);
  });

  test('saves and checks are logged, by admin user and AppID only', () => {
    expect(app.logs.text()).toMatch(/settings saved by admin user #\d+: AppID wx0123456789abcdef, AppSecret replaced/);
    expect(app.logs.text()).toMatch(/credential check for AppID wx0123456789abcdef: The AppSecret does not match/);
  });
});
