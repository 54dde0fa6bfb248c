/**
 * The `wechat` service for app code (docs/design/server-apis.md), in a real Strapi app against the
 * simulator, called as an app's own route would call it (tests/helpers/wechat-probe.ts):
 * getPhoneNumber, sendSubscribeMessage, getUnlimitedQRCode (PNG bytes), msgSecCheck and the generic
 * call, each one's WeChat errors as the design's error table says, inputs refused before WeChat is
 * asked, and no AppSecret, access token, session key or phone number in any response or log line.
 */
import request from 'supertest';
import { startTestApp, TestApp, PLUGIN_NAME } from './helpers/test-app';
import { codeFor, expectNoSecrets, expectStrapiError, login } from './helpers/login';
import { probe, probeFiles, ProbeMethod } from './helpers/wechat-probe';
import { DEMO_APP, readPngText, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const ACCESS_TOKEN_UID = `plugin::${PLUGIN_NAME}.access-token`;
const A: SimulatedApp = { ...DEMO_APP, openPlatformId: 'op-service' };
const B: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210' };
const HIDDEN_PAGE = 'pages/hidden/index';
const TEMPLATE = 'tmpl-order-shipped_01';
const TIMEOUT = 1500;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const sim = new WeChatSimulator({ apps: [A, B], unpublishedPages: [HIDDEN_PAGE] });
let app: TestApp;
const responses: string[] = [];
const phoneNumbers = new Set<string>();

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  sim.addTemplate(A.appId, TEMPLATE, ['thing1', 'time2', 'character_string3']);
  app = await startTestApp({
    name: 'wechat-service',
    pluginConfig: {
      apiBaseUrl,
      timeout: TIMEOUT,
      apps: [
        { appId: A.appId, appSecret: A.appSecret },
        { appId: B.appId, appSecret: B.appSecret },
      ],
    },
    files: probeFiles,
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

async function call(method: ProbeMethod, input: unknown): Promise<request.Response> {
  const res = await probe(app.server, method, input);
  responses.push(Buffer.isBuffer(res.body) ? res.body.toString('latin1') : JSON.stringify(res.body), JSON.stringify(res.headers));
  return res;
}

const openid = (user: string, appId = A.appId) => sim.openidFor(appId, user);
const totals = () => sim.getStats().totals;

/** The error a failed call answered: status, Strapi error name, details. */
async function failure(method: ProbeMethod, input: unknown, status: number) {
  const res = await call(method, input);
  expectStrapiError(res, status);
  return res.body.error as { name: string; message: string; details: Record<string, unknown> };
}

describe('getPhoneNumber', () => {
  test('a phone code gives the number (with the openid WeChat checks the code against)', async () => {
    const phone = sim.phoneNumberFor('alice');
    phoneNumbers.add(phone.purePhoneNumber);
    const res = await call('getPhoneNumber', { code: sim.issuePhoneCode(A.appId, 'alice'), openid: openid('alice') });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ phoneNumber: phone.phoneNumber, purePhoneNumber: phone.purePhoneNumber, countryCode: '86' });
    // Outside China: +<country code><number>.
    const abroad = await call('getPhoneNumber', { code: sim.issuePhoneCode(A.appId, 'bob', { purePhoneNumber: '6123456789', countryCode: '65' }) });
    expect(abroad.body.data).toEqual({ phoneNumber: '+656123456789', purePhoneNumber: '6123456789', countryCode: '65' });
    phoneNumbers.add('6123456789');
  });

  test('a used or unknown code: 400 invalid_code asking for a new one; a code of another user: 400 invalid_code too', async () => {
    const code = sim.issuePhoneCode(A.appId, 'carol');
    expect((await call('getPhoneNumber', { code })).status).toBe(200);
    phoneNumbers.add(sim.phoneNumberFor('carol').purePhoneNumber);
    const used = await failure('getPhoneNumber', { code }, 400);
    expect(used).toMatchObject({
      name: 'ApplicationError',
      message: expect.stringMatching(/tap the phone number button again/),
      details: { errcode: 40163, reason: 'invalid_code' },
    });
    expect((await failure('getPhoneNumber', { code: 'a'.repeat(64) }, 400)).details).toEqual({ errcode: 40029, reason: 'invalid_code' });
    // Another app's code is unknown to this one.
    expect((await failure('getPhoneNumber', { appId: B.appId, code: sim.issuePhoneCode(A.appId, 'dave') }, 400)).details).toMatchObject({ errcode: 40029 });
    const mismatch = await failure('getPhoneNumber', { code: sim.issuePhoneCode(A.appId, 'erin'), openid: openid('frank') }, 400);
    expect(mismatch.details).toEqual({ errcode: 40003, reason: 'invalid_code' });
  });
});

describe('sendSubscribeMessage', () => {
  const message = (extra: Record<string, unknown> = {}) => ({
    touser: openid('grace'),
    templateId: TEMPLATE,
    page: 'pages/order/index?id=42',
    data: { thing1: 'Parcel', time2: { value: '2025-06-01 10:00' }, character_string3: 'SF1234567' },
    miniprogramState: 'formal',
    lang: 'en_US',
    ...extra,
  });

  test('sent as WeChat expects it (snake_case, { value } per key); answers the msgid', async () => {
    const res = await call('sendSubscribeMessage', message());
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ msgid: expect.stringMatching(/^\d+$/) });
    const sent = sim.sentMessages[sim.sentMessages.length - 1];
    expect(sent).toMatchObject({
      msgid: expect.anything(),
      appId: A.appId,
      touser: openid('grace'),
      templateId: TEMPLATE,
      page: 'pages/order/index?id=42',
      data: { thing1: { value: 'Parcel' }, time2: { value: '2025-06-01 10:00' }, character_string3: { value: 'SF1234567' } },
      miniprogramState: 'formal',
      lang: 'en_US',
    });
    expect(String(sent.msgid)).toBe(res.body.data.msgid);
  });

  test("WeChat's refusals, as the design's table says", async () => {
    sim.refuseSubscription(A.appId, 'henry', TEMPLATE);
    expect(await failure('sendSubscribeMessage', message({ touser: openid('henry') }), 403)).toMatchObject({
      details: { errcode: 43101, reason: 'not_subscribed' },
    });
    expect((await failure('sendSubscribeMessage', message({ templateId: 'unknown-template' }), 400)).details).toEqual({
      errcode: 40037,
      reason: 'bad_template',
    });
    const badData = await failure(
      'sendSubscribeMessage',
      message({ data: { thing1: 'x'.repeat(21), time2: '2025-06-01 10:00', character_string3: 'A1' } }),
      400
    );
    expect(badData).toMatchObject({ message: expect.stringMatching(/thing1/), details: { errcode: 47003, reason: 'bad_data', field: 'thing1' } });
    // An openid of another app is not a user of this one.
    expect((await failure('sendSubscribeMessage', message({ touser: openid('ivan', B.appId) }), 400)).details).toEqual({
      errcode: 40003,
      reason: 'bad_openid',
    });
    expect((await failure('sendSubscribeMessage', message({ page: HIDDEN_PAGE }), 400)).details).toEqual({ errcode: 41030, reason: 'bad_page' });
  });
});

describe('getUnlimitedQRCode', () => {
  test('the mini program code comes back as PNG bytes (image/png), for the scene and page asked', async () => {
    const res = await call('getUnlimitedQRCode', { scene: 'id=42&from=poster', page: 'pages/item/index', width: 600, envVersion: 'trial', checkPath: true });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(Buffer.isBuffer(res.body)).toBe(true);
    expect(res.body.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(readPngText(res.body)).toMatchObject({ scene: 'id=42&from=poster', page: 'pages/item/index', env_version: 'trial', width: '600' });
    const direct = await app.strapi.plugin(PLUGIN_NAME).service('wechat').getUnlimitedQRCode({ scene: 'abc' });
    expect(Buffer.isBuffer(direct) && direct.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  test('an unpublished page: 400 bad_page (accepted with checkPath: false)', async () => {
    expect((await failure('getUnlimitedQRCode', { scene: 'a', page: HIDDEN_PAGE }, 400)).details).toEqual({ errcode: 41030, reason: 'bad_page' });
    const unchecked = await call('getUnlimitedQRCode', { scene: 'a', page: HIDDEN_PAGE, checkPath: false });
    expect(unchecked.headers['content-type']).toBe('image/png');
  });
});

describe('msgSecCheck', () => {
  test('pass / review / risky with their labels', async () => {
    const check = (content: string) => call('msgSecCheck', { openid: openid('judy'), content, scene: 2 });
    expect((await check('Nice weather today')).body.data).toEqual({ suggest: 'pass', label: 100 });
    expect((await check('needs review please')).body.data).toEqual({ suggest: 'review', label: 21000 });
    expect((await check('这里有违禁词')).body.data).toEqual({ suggest: 'risky', label: 20006 });
  });

  test('an openid of another app: 400 bad_openid (43104)', async () => {
    const error = await failure('msgSecCheck', { openid: openid('kate', B.appId), content: 'hi', scene: 1 }, 400);
    expect(error.details).toEqual({ errcode: 43104, reason: 'bad_openid' });
  });
});

describe('call (any other JSON API on the access token)', () => {
  test('POST: the parsed JSON answer', async () => {
    const res = await call('call', {
      method: 'POST',
      path: '/wxa/msg_sec_check',
      body: { version: 2, openid: openid('leo'), scene: 3, content: 'hello' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ errcode: 0, result: { suggest: 'pass', label: 100 }, trace_id: expect.any(String) });
  });

  test('an errcode is an error named by its path; an unknown path a 502', async () => {
    const error = await failure(
      'call',
      { method: 'POST', path: '/wxa/msg_sec_check', body: { version: 2, openid: openid('mia'), scene: 9, content: 'x' } },
      502
    );
    expect(error).toMatchObject({ message: 'WeChat answered an error (errcode 40129)', details: { errcode: 40129 } });
    expect((await failure('call', { method: 'GET', path: '/wxa/no_such_api' }, 502)).message).toBe('WeChat answered HTTP 404');
  });
});

describe("WeChat's shared failures", () => {
  beforeAll(async () => {
    // The token first, so that the faults below hit the API call, not stable_token.
    expect((await call('msgSecCheck', { openid: openid('ned'), content: 'warm up', scene: 1 })).status).toBe(200);
  });

  test.each([
    ['fault_err-1_1', 503, { errcode: -1 }, 'HttpError'],
    ['fault_err45009_1', 429, { errcode: 45009 }, 'RateLimitError'],
    ['fault_err40013_1', 502, { errcode: 40013 }, 'HttpError'],
    [`fault_delay${TIMEOUT + 1500}_1`, 504, {}, 'HttpError'],
    ['fault_http500_1', 502, {}, 'HttpError'],
    ['fault_nonjson_1', 502, {}, 'HttpError'],
    ['fault_reset_1', 502, {}, 'HttpError'],
  ])('%s → %i', async (content, status, details, name) => {
    const started = Date.now();
    const error = await failure('msgSecCheck', { openid: openid('ned'), content, scene: 1 }, status);
    expect(error.details).toEqual(details);
    if (name === 'RateLimitError') expect(error.name).toBe(name);
    expect(Date.now() - started).toBeLessThan(TIMEOUT + 1000);
  });

  test('a QR code request WeChat answers with JSON: the errcode, not bytes', async () => {
    const error = await failure('getUnlimitedQRCode', { scene: 'fault_err45009_2' }, 429);
    expect(error.details).toEqual({ errcode: 45009 });
  });
});

describe('inputs are checked before WeChat is asked', () => {
  const isShort = (value: unknown) => JSON.stringify(value).length < 2000;

  test.each<[ProbeMethod, string[], Record<string, unknown>]>([
    ['getPhoneNumber', ['code'], {}],
    ['getPhoneNumber', ['code'], { code: 42 }],
    ['getPhoneNumber', ['code'], { code: 'has space' }],
    ['getPhoneNumber', ['openid'], { code: 'ok', openid: 'not an openid!' }],
    ['getPhoneNumber', ['appId'], { code: 'ok', appId: 'wx123' }],
    ['getPhoneNumber', ['phone'], { code: 'ok', phone: '1' }],
    ['sendSubscribeMessage', ['touser'], { templateId: TEMPLATE, data: { thing1: 'x' } }],
    ['sendSubscribeMessage', ['templateId'], { touser: 'oABC', templateId: 'bad template', data: { thing1: 'x' } }],
    ['sendSubscribeMessage', ['data'], { touser: 'oABC', templateId: TEMPLATE, data: {} }],
    ['sendSubscribeMessage', ['data', 'thing1'], { touser: 'oABC', templateId: TEMPLATE, data: { thing1: { value: ['x'] } } }],
    ['sendSubscribeMessage', ['lang'], { touser: 'oABC', templateId: TEMPLATE, data: { thing1: 'x' }, lang: 'fr' }],
    ['sendSubscribeMessage', ['template_id'], { touser: 'oABC', templateId: TEMPLATE, data: { thing1: 'x' }, template_id: TEMPLATE }],
    ['getUnlimitedQRCode', ['scene'], {}],
    ['getUnlimitedQRCode', ['scene'], { scene: 'x'.repeat(33) }],
    ['getUnlimitedQRCode', ['scene'], { scene: 'a b' }],
    ['getUnlimitedQRCode', ['page'], { scene: 'a', page: '/pages/index/index' }],
    ['getUnlimitedQRCode', ['page'], { scene: 'a', page: 'pages/index/index?x=1' }],
    ['getUnlimitedQRCode', ['width'], { scene: 'a', width: 100 }],
    ['getUnlimitedQRCode', ['lineColor'], { scene: 'a', lineColor: { r: 0, g: 0, b: 256 } }],
    ['getUnlimitedQRCode', ['envVersion'], { scene: 'a', envVersion: 'beta' }],
    ['msgSecCheck', ['scene'], { openid: 'oABC', content: 'x', scene: 5 }],
    ['msgSecCheck', ['content'], { openid: 'oABC', content: 'x'.repeat(2501), scene: 1 }],
    ['msgSecCheck', ['content'], { openid: 'oABC', content: '', scene: 1 }],
    ['msgSecCheck', ['openid'], { content: 'x', scene: 1 }],
    ['call', ['method'], { method: 'DELETE', path: '/wxa/x' }],
    ['call', ['path'], { method: 'GET', path: 'https://evil.example/steal' }],
    ['call', ['path'], { method: 'GET', path: '//evil.example/steal' }],
    ['call', ['path'], { method: 'GET', path: '/wxa/../sns/jscode2session' }],
    ['call', ['query', 'access_token'], { method: 'GET', path: '/wxa/x', query: { access_token: 'mine' } }],
    ['call', ['body'], { method: 'GET', path: '/wxa/x', body: { a: 1 } }],
    // No retry option: a refused token is retried once for every call, nothing else ever is.
    ['call', ['retry'], { method: 'POST', path: '/wxa/x', retry: false }],
  ])('%s, bad %j: 400, no call to WeChat', async (method, path, input) => {
    const before = totals();
    const res = await call(method, input);
    expectStrapiError(res, 400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(res.body.error.details.errors.map((e: { path: string[] }) => e.path)).toContainEqual(path);
    // Messages never echo the value (a code, a text or an openid may be personal).
    expect(isShort(res.body.error)).toBe(true);
    if (typeof input.content === 'string' && input.content.length > 100) expect(JSON.stringify(res.body)).not.toContain(input.content);
    expect(totals()).toEqual(before);
  });

  test('an AppID that is not configured: 400 unknown_app, no call to WeChat', async () => {
    const before = totals();
    const error = await failure('msgSecCheck', { appId: 'wx1111111111111111', openid: 'oABC', content: 'x', scene: 1 }, 400);
    expect(error.details).toMatchObject({ reason: 'unknown_app' });
    expect(totals()).toEqual(before);
  });
});

test("tokenStatus without an appId: the default app's token, never the token itself", async () => {
  const res = await call('tokenStatus', {});
  expect(res.body.data).toEqual({ cached: true, expiresAt: expect.any(String), refreshedAt: expect.any(String), lastErrcode: null });
  const [row] = await app.strapi.db.query(ACCESS_TOKEN_UID).findMany({ where: { appId: A.appId } });
  expect(res.text ?? JSON.stringify(res.body)).not.toContain(row.accessToken);
});

test('the login and the service share the client: a login works beside them', async () => {
  const res = await login(app.server, { code: codeFor('olga') });
  expect(res.status).toBe(200);
  responses.push(res.text);
});

test('no AppSecret, access token, session key or phone number in any response or log line', async () => {
  const rows = await app.strapi.db.query(ACCESS_TOKEN_UID).findMany({});
  const tokens = [...rows.map((r: { accessToken: string }) => r.accessToken), sim.getAccessToken(A.appId), sim.getAccessToken(B.appId)];
  expect(tokens.filter(Boolean).length).toBeGreaterThanOrEqual(2);
  const secrets = [A.appSecret, B.appSecret, ...tokens, ...sim.issuedSessionKeys];
  expectNoSecrets(responses.join('\n'), secrets);
  expectNoSecrets(app.logs.text(), [...secrets, ...phoneNumbers]);
});
