/**
 * The WeChat API simulator on its own (no Strapi): access tokens (expiry, renewal, force_refresh limits,
 * invalidation), the access_token check of every API, phone numbers, subscribe messages, mini program codes (a valid
 * PNG), msg_sec_check, faults, counters and control endpoints. Time is the simulator's injected clock.
 */
import zlib from 'zlib';
import { DEMO_APP, readPngText, SimulatedApp, WeChatSimulator, WeChatSimulatorOptions } from '../simulator/wechat-simulator';
import type { Untyped } from './helpers/test-app';

const OTHER: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210', unpublishedPages: ['pages/other/only'] };
// 2024-01-01 12:00 Beijing time.
const START = Date.UTC(2024, 0, 1, 4, 0, 0);

interface Answer {
  status: number;
  type: string;
  /** The JSON answer (null for an image or a body that is not JSON). */
  body: Untyped;
  bytes: Buffer;
}

function harness(options: WeChatSimulatorOptions = {}) {
  const clock = { now: START };
  const h = {
    get clock(): number {
      return clock.now;
    },
    set clock(ms: number) {
      clock.now = ms;
    },
    sim: new WeChatSimulator({ apps: [DEMO_APP, OTHER], now: () => clock.now, ...options }),
    url: '',
    async call(method: string, path: string, payload?: unknown, rawBody?: string): Promise<Answer> {
      const res = await fetch(`${h.url}${path}`, { method, body: rawBody ?? (payload === undefined ? undefined : JSON.stringify(payload)) });
      const bytes = Buffer.from(await res.arrayBuffer());
      const type = res.headers.get('content-type') ?? '';
      let body: unknown = null;
      try {
        if (type !== 'image/png') body = JSON.parse(bytes.toString('utf8'));
      } catch {
        // an HTML page, a truncated body: tests read `bytes`
      }
      return { status: res.status, type, bytes, body };
    },
    post: (path: string, body?: unknown, rawBody?: string) => h.call('POST', path, body, rawBody),
    /** POST to an access_token API. */
    api: (path: string, token: string | null, body?: unknown, rawBody?: string) =>
      h.call('POST', token === null ? path : `${path}?access_token=${encodeURIComponent(token)}`, body, rawBody),
    stableToken: async (app: SimulatedApp = DEMO_APP, forceRefresh = false) =>
      (await h.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: app.appId, secret: app.appSecret, force_refresh: forceRefresh })).body,
    token: (app: SimulatedApp = DEMO_APP) => h.sim.getAccessToken(app.appId),
    advance(seconds: number) {
      h.clock += seconds * 1000;
    },
  };
  beforeAll(async () => {
    h.url = await h.sim.start();
  });
  afterAll(() => h.sim.stop());
  return h;
}

const PHONE = '/wxa/business/getuserphonenumber';
const SUBSCRIBE = '/cgi-bin/message/subscribe/send';
const QRCODE = '/wxa/getwxacodeunlimit';
const SEC_CHECK = '/wxa/msg_sec_check';
const TOKEN_APIS = [PHONE, SUBSCRIBE, QRCODE, SEC_CHECK];

describe('code2session (unchanged)', () => {
  const h = harness();

  test('sim_ codes, issued codes, reuse and fault codes answer as before', async () => {
    const session = (code: string, app = DEMO_APP) =>
      h.call('GET', `/sns/jscode2session?appid=${app.appId}&secret=${app.appSecret}&js_code=${code}&grant_type=authorization_code`);
    const first = await session('sim_alice_1');
    expect(first.body).toEqual({ openid: h.sim.openidFor(DEMO_APP.appId, 'alice'), session_key: h.sim.issuedSessionKeys.at(-1) });
    expect((await session('sim_alice_1')).body.errcode).toBe(40163);
    expect((await session(h.sim.issueCode(OTHER.appId, 'bob'), OTHER)).body.openid).toBe(h.sim.openidFor(OTHER.appId, 'bob'));
    expect((await session(h.sim.issueCode(OTHER.appId, 'bob'))).body.errcode).toBe(40029);
    const expired = h.sim.issueCode(DEMO_APP.appId, 'carol');
    h.advance(301);
    expect((await session(expired)).body.errcode).toBe(40029);
    expect((await session('fault_err40226_1')).body).toMatchObject({ errcode: 40226, errmsg: expect.stringMatching(/^invalid user, high risk, rid: /) });
    expect((await session('fault_http500_1')).status).toBe(500);
    expect(h.sim.receivedCodes.at(-1)).toBe('fault_http500_1');
    expect(h.sim.stats.code2session).toBe(7);
    expect(h.sim.stats.calls[DEMO_APP.appId].code2session).toBe(6);
    expect(h.sim.stats.calls[OTHER.appId].code2session).toBe(1);
  });

  test('a GET to a POST API answers 43002, a POST to code2session 43001', async () => {
    expect((await h.call('GET', '/cgi-bin/stable_token')).body.errcode).toBe(43002);
    expect((await h.post('/sns/jscode2session')).body.errcode).toBe(43001);
  });
});

describe('stable_token', () => {
  const h = harness();
  beforeEach(() => h.sim.clearQuota(DEMO_APP.appId));

  test('normal mode answers the same token, expires_in counting down; the token works for the APIs', async () => {
    const first = await h.stableToken();
    expect(first).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/), expires_in: 7200 });
    h.advance(100);
    expect(await h.stableToken()).toEqual({ access_token: first.access_token, expires_in: 7100 });
    expect(h.token()).toBe(first.access_token);
    expect((await h.api(PHONE, first.access_token, { code: 'phone_dave_1' })).body.errcode).toBe(0);
    expect(await h.stableToken(OTHER)).not.toEqual(expect.objectContaining({ access_token: first.access_token }));
  });

  test('credentials are checked as before', async () => {
    const ask = async (body: unknown) => (await h.post('/cgi-bin/stable_token', body)).body.errcode;
    expect(await ask({ grant_type: 'x', appid: DEMO_APP.appId, secret: DEMO_APP.appSecret })).toBe(40002);
    expect(await ask({ grant_type: 'client_credential', secret: DEMO_APP.appSecret })).toBe(41002);
    expect(await ask({ grant_type: 'client_credential', appid: 'wx0000000000000000', secret: 'x' })).toBe(40013);
    expect(await ask({ grant_type: 'client_credential', appid: DEMO_APP.appId })).toBe(41004);
    expect(await ask({ grant_type: 'client_credential', appid: DEMO_APP.appId, secret: 'wrong' })).toBe(40125);
  });

  test('in its last 5 minutes a new token is handed out; the old one works until it expires (42001)', async () => {
    const old = (await h.stableToken()).access_token as string;
    h.clock = START + 7200 * 1000; // clock started at START, the first token was issued then
    h.advance(-299);
    const renewed = await h.stableToken();
    expect(renewed).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    expect(renewed.access_token).not.toBe(old);
    expect((await h.api(PHONE, old, { code: 'phone_dave_2' })).body.errcode).toBe(0);
    h.advance(300);
    expect((await h.api(PHONE, old, { code: 'phone_dave_3' })).body.errcode).toBe(42001);
    expect((await h.api(PHONE, renewed.access_token, { code: 'phone_dave_4' })).body.errcode).toBe(0);
  });

  test('force_refresh issues a new token and kills the old ones (40001); 30 s apart, or the current token comes back', async () => {
    const old = (await h.stableToken()).access_token as string;
    const forced = await h.stableToken(DEMO_APP, true);
    expect(forced.access_token).not.toBe(old);
    expect(forced.expires_in).toBe(7200);
    expect((await h.api(PHONE, old, { code: 'phone_erin_1' })).body.errcode).toBe(40001);
    h.advance(29);
    expect(await h.stableToken(DEMO_APP, true)).toEqual({ access_token: forced.access_token, expires_in: 7171 });
    h.advance(1);
    const again = await h.stableToken(DEMO_APP, true);
    expect(again.access_token).not.toBe(forced.access_token);
    expect(await h.stableToken()).toEqual(again);
  });

  test('at most 20 force_refresh a (Beijing) day per AppID: the 21st answers 45009; the next day works again', async () => {
    h.clock = Date.UTC(2024, 0, 2, 15, 0, 0); // 23:00 in Beijing
    for (let i = 0; i < 20; i += 1) {
      expect((await h.stableToken(DEMO_APP, true)).access_token).toEqual(expect.any(String));
      h.advance(30);
    }
    const limited = await h.stableToken(DEMO_APP, true);
    expect(limited).toMatchObject({ errcode: 45009, errmsg: expect.stringContaining('reach max api daily quota limit') });
    expect((await h.stableToken()).access_token).toEqual(expect.any(String)); // normal mode is not limited
    expect((await h.stableToken(OTHER, true)).access_token).toEqual(expect.any(String)); // per AppID
    h.clock = Date.UTC(2024, 0, 2, 16, 0, 1); // 00:00:01 in Beijing
    expect((await h.stableToken(DEMO_APP, true)).access_token).toEqual(expect.any(String));
  });

  test('invalidateToken: the token answers 40001 while normal mode keeps handing it out, until a force_refresh', async () => {
    const token = (await h.stableToken()).access_token as string;
    expect(h.sim.invalidateToken(DEMO_APP.appId)).toBe(token);
    expect((await h.api(PHONE, token, { code: 'phone_fay_1' })).body.errcode).toBe(40001);
    h.advance(10);
    expect((await h.stableToken()).access_token).toBe(token);
    const fresh = (await h.stableToken(DEMO_APP, true)).access_token as string;
    expect(fresh).not.toBe(token);
    expect((await h.api(PHONE, fresh, { code: 'phone_fay_2' })).body.errcode).toBe(0);
    expect(h.sim.invalidateToken('wx1111111111111111')).toBeNull();
  });

  test('invalidateToken with stableReturnsNew: normal mode hands out a fresh token', async () => {
    const token = (await h.stableToken()).access_token as string;
    h.sim.invalidateToken(DEMO_APP.appId, { stableReturnsNew: true });
    const fresh = (await h.stableToken()).access_token as string;
    expect(fresh).not.toBe(token);
    expect((await h.api(PHONE, token, { code: 'phone_gus_1' })).body.errcode).toBe(40001);
    expect((await h.api(PHONE, fresh, { code: 'phone_gus_2' })).body.errcode).toBe(0);
  });

  test('expireToken: 42001 from then on, normal mode hands out a new token', async () => {
    const token = (await h.stableToken()).access_token as string;
    expect(h.sim.expireToken(DEMO_APP.appId)).toBe(token);
    expect((await h.api(PHONE, token, { code: 'phone_hal_1' })).body).toMatchObject({
      errcode: 42001,
      errmsg: expect.stringContaining('access_token expired'),
    });
    const fresh = await h.stableToken();
    expect(fresh.access_token).not.toBe(token);
    expect(fresh.expires_in).toBe(7200);
  });

  test('counters: stableToken (all), stableTokenForced, per AppID; the old totals stay', async () => {
    const before = h.sim.getStats();
    await h.stableToken();
    await h.stableToken(DEMO_APP, true);
    await h.stableToken(OTHER);
    const after = h.sim.getStats();
    expect(after.stableToken - before.stableToken).toBe(3);
    expect(after.totals.stableToken - before.totals.stableToken).toBe(3);
    expect(after.totals.stableTokenForced - before.totals.stableTokenForced).toBe(1);
    expect(after.calls[DEMO_APP.appId].stableToken - before.calls[DEMO_APP.appId].stableToken).toBe(2);
    expect(after.calls[DEMO_APP.appId].stableTokenForced - before.calls[DEMO_APP.appId].stableTokenForced).toBe(1);
    expect(after.calls[OTHER.appId].stableToken - before.calls[OTHER.appId].stableToken).toBe(1);
  });
});

describe('stable_token options', () => {
  const h = harness({ tokenTtlSeconds: 60, forceRefreshTooSoon: 'errcode' });

  test('tokenTtlSeconds: expires_in starts there; the same token until 1/24 of it is left (2 s of 60), then a new one', async () => {
    const first = await h.stableToken();
    expect(first.expires_in).toBe(60);
    h.advance(57);
    expect(await h.stableToken()).toEqual({ access_token: first.access_token, expires_in: 3 });
    h.advance(1); // 2 s left: renewed (60 / 24 = 2 s ahead)
    const renewed = await h.stableToken();
    expect(renewed.access_token).not.toBe(first.access_token);
    h.advance(2);
    expect((await h.api(QRCODE, first.access_token, { scene: 'a' })).body.errcode).toBe(42001);
  });

  test("forceRefreshTooSoon: 'errcode' answers 45011 within 30 s", async () => {
    expect((await h.stableToken(DEMO_APP, true)).access_token).toEqual(expect.any(String));
    h.advance(10);
    expect((await h.stableToken(DEMO_APP, true)).errcode).toBe(45011);
  });
});

describe('every access_token API checks the token', () => {
  const h = harness();

  test.each(TOKEN_APIS)('%s: missing 41001, malformed 40014, unknown 40001, expired 42001', async (path) => {
    expect((await h.api(path, null, {})).body.errcode).toBe(41001);
    expect((await h.api(path, '', {})).body.errcode).toBe(41001);
    expect((await h.api(path, 'not a token!', {})).body).toMatchObject({ errcode: 40014, errmsg: expect.stringContaining('invalid access_token') });
    expect((await h.api(path, 'A'.repeat(64), {})).body.errcode).toBe(40001);
    const token = h.token(OTHER);
    h.sim.expireToken(OTHER.appId);
    expect((await h.api(path, token, {})).body.errcode).toBe(42001);
  });

  test("another app's token: that app's codes, users and templates only", async () => {
    const demoToken = h.token(DEMO_APP);
    const otherToken = h.token(OTHER);
    const openid = h.sim.openidFor(DEMO_APP.appId, 'ivy');
    h.sim.addTemplate(DEMO_APP.appId, 'tpl-demo', ['thing1']);
    expect((await h.api(PHONE, otherToken, { code: h.sim.issuePhoneCode(DEMO_APP.appId, 'ivy') })).body.errcode).toBe(40029);
    expect((await h.api(SUBSCRIBE, otherToken, { touser: openid, template_id: 'tpl-demo', data: { thing1: { value: 'x' } } })).body.errcode).toBe(40003);
    h.sim.openidFor(OTHER.appId, 'ivy');
    expect((await h.api(SUBSCRIBE, otherToken, { touser: h.sim.openidFor(OTHER.appId, 'ivy'), template_id: 'tpl-demo', data: {} })).body.errcode).toBe(40037);
    expect((await h.api(SEC_CHECK, otherToken, { version: 2, openid, scene: 2, content: 'hi' })).body.errcode).toBe(43104);
    expect((await h.api(SEC_CHECK, demoToken, { version: 2, openid, scene: 2, content: 'hi' })).body.errcode).toBe(0);
  });
});

describe('getuserphonenumber', () => {
  const h = harness();

  test('an issued code gives the number once, with the watermark of the app and the time the code was issued', async () => {
    const code = h.sim.issuePhoneCode(DEMO_APP.appId, 'jo', '13800138000');
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    const issuedAt = Math.floor(h.clock / 1000);
    h.advance(60);
    const answer = await h.api(PHONE, h.token(), { code });
    expect(answer.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86', watermark: { timestamp: issuedAt, appid: DEMO_APP.appId } },
    });
    expect((await h.api(PHONE, h.token(), { code })).body).toMatchObject({ errcode: 40163, errmsg: expect.stringContaining('code been used') });
    expect(h.sim.stats.phoneBilled[DEMO_APP.appId]).toBe(1);
  });

  test('phone_<user>_<nonce>: a deterministic Chinese number for the user, any app, single-use', async () => {
    const expected = h.sim.phoneNumberFor('kim');
    expect(expected).toEqual({ phoneNumber: expect.stringMatching(/^139\d{8}$/), purePhoneNumber: expected.phoneNumber, countryCode: '86' });
    const a = await h.api(PHONE, h.token(), { code: 'phone_kim_1' });
    const b = await h.api(PHONE, h.token(OTHER), { code: 'phone_kim_2' });
    expect(a.body.phone_info).toMatchObject(expected);
    expect(b.body.phone_info).toMatchObject({ ...expected, watermark: { appid: OTHER.appId } });
    expect((await h.api(PHONE, h.token(), { code: 'phone_kim_1' })).body.errcode).toBe(40163);
    expect(h.sim.phoneNumberFor('lee').phoneNumber).not.toBe(expected.phoneNumber);
  });

  test('a foreign number carries its country code in phoneNumber', async () => {
    const code = h.sim.issuePhoneCode(DEMO_APP.appId, 'max', { purePhoneNumber: '61234567', countryCode: '852' });
    expect((await h.api(PHONE, h.token(), { code })).body.phone_info).toMatchObject({
      phoneNumber: '+85261234567',
      purePhoneNumber: '61234567',
      countryCode: '852',
    });
  });

  test('invalid, expired or missing codes answer 40029; a non-JSON body 47001', async () => {
    expect((await h.api(PHONE, h.token(), { code: 'nope' })).body).toMatchObject({ errcode: 40029, errmsg: expect.stringContaining('invalid code') });
    expect((await h.api(PHONE, h.token(), {})).body.errcode).toBe(40029);
    const code = h.sim.issuePhoneCode(DEMO_APP.appId, 'ned');
    h.advance(301);
    expect((await h.api(PHONE, h.token(), { code })).body.errcode).toBe(40029);
    expect((await h.api(PHONE, h.token(), undefined, '{"code":')).body.errcode).toBe(47001);
  });

  test("openid: must be the code's user in the token's app (40003, the code is not used up)", async () => {
    const code = h.sim.issuePhoneCode(DEMO_APP.appId, 'oz');
    expect((await h.api(PHONE, h.token(), { code, openid: h.sim.openidFor(DEMO_APP.appId, 'pat') })).body).toMatchObject({
      errcode: 40003,
      errmsg: expect.stringContaining('invalid openid'),
    });
    expect((await h.api(PHONE, h.token(), { code, openid: h.sim.openidFor(OTHER.appId, 'oz') })).body.errcode).toBe(40003);
    expect((await h.api(PHONE, h.token(), { code, openid: h.sim.openidFor(DEMO_APP.appId, 'oz') })).body.errcode).toBe(0);
  });

  test('billed calls and call counters per AppID', async () => {
    const before = h.sim.getStats();
    await h.api(PHONE, h.token(OTHER), { code: 'phone_quinn_1' });
    await h.api(PHONE, h.token(OTHER), { code: 'phone_quinn_1' });
    await h.api(PHONE, 'B'.repeat(64), { code: 'phone_quinn_2' });
    const after = h.sim.getStats();
    expect(after.phoneBilled[OTHER.appId] - (before.phoneBilled[OTHER.appId] ?? 0)).toBe(1);
    expect(after.calls[OTHER.appId].phone - before.calls[OTHER.appId].phone).toBe(2);
    expect(after.totals.phone - before.totals.phone).toBe(3);
  });
});

describe('subscribe/send', () => {
  const h = harness({ unpublishedPages: ['pages/draft/draft'] });
  const tpl = 'tpl-order';
  let touser = '';
  const data = { thing1: { value: '订单已发货' }, number2: { value: '42' }, time3: { value: '2024-01-01 12:00' } };
  const send = (body: Record<string, unknown>, app = DEMO_APP) => h.api(SUBSCRIBE, h.token(app), { touser, template_id: tpl, data, ...body });
  beforeAll(() => {
    h.sim.addTemplate(DEMO_APP.appId, tpl, ['thing1', 'number2', 'time3']);
    touser = h.sim.openidFor(DEMO_APP.appId, 'ruth');
  });

  test('success answers a msgid and keeps the message', async () => {
    const answer = await send({ page: 'pages/order/detail?id=1', miniprogram_state: 'trial', lang: 'zh_CN' });
    expect(answer.body).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
    expect(h.sim.sentMessages.at(-1)).toEqual({
      msgid: answer.body.msgid,
      appId: DEMO_APP.appId,
      touser,
      user: 'ruth',
      templateId: tpl,
      page: 'pages/order/detail?id=1',
      data,
      miniprogramState: 'trial',
      lang: 'zh_CN',
      sentAt: h.clock,
    });
    const second = await send({ page: '/pages/order/detail' });
    expect(second.body.msgid).toBeGreaterThan(answer.body.msgid);
    expect(h.sim.stats.calls[DEMO_APP.appId].subscribe).toBe(2);
  });

  test('touser must be a user of the app: 40003', async () => {
    expect((await send({ touser: 'oUnknownUser' })).body).toMatchObject({ errcode: 40003, errmsg: expect.stringContaining('invalid openid') });
    expect((await send({ touser: h.sim.openidFor(OTHER.appId, 'ruth') })).body.errcode).toBe(40003);
    expect((await send({ touser: undefined })).body.errcode).toBe(40003);
  });

  test('an unregistered template_id answers 40037', async () => {
    expect((await send({ template_id: 'tpl-unknown' })).body).toMatchObject({ errcode: 40037, errmsg: expect.stringContaining('invalid template_id') });
  });

  test('data is checked against the template keys: 47003 naming the field', async () => {
    const bad = async (d: unknown) => (await send({ data: d })).body;
    expect(await bad({ ...data, thing1: undefined })).toMatchObject({
      errcode: 47003,
      errmsg: expect.stringMatching(/^argument invalid! data\.thing1\.value is empty, rid: /),
    });
    expect(await bad({ ...data, number2: { value: '' } })).toMatchObject({ errcode: 47003, errmsg: expect.stringContaining('data.number2.value is empty') });
    expect(await bad({ ...data, thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' } })).toMatchObject({
      errmsg: expect.stringContaining('data.thing1.value invalid'),
    });
    expect(await bad({ ...data, number2: { value: 'forty-two' } })).toMatchObject({ errmsg: expect.stringContaining('data.number2.value invalid') });
    expect(await bad('x')).toMatchObject({ errcode: 47003, errmsg: expect.stringContaining('data is empty') });
    expect((await send({ data: { ...data, extra9: { value: 'ignored' } } })).body.errcode).toBe(0);
    expect((await send({ miniprogram_state: 'beta' })).body).toMatchObject({ errcode: 47003, errmsg: expect.stringContaining('miniprogram_state') });
    expect((await send({ lang: 'fr_FR' })).body).toMatchObject({ errcode: 47003, errmsg: expect.stringContaining('lang') });
  });

  test('a page that is not published answers 41030 (option and per app)', async () => {
    expect((await send({ page: 'pages/draft/draft' })).body).toMatchObject({ errcode: 41030, errmsg: expect.stringContaining('invalid page') });
    expect((await send({ page: '/pages/draft/draft?x=1' })).body.errcode).toBe(41030);
    expect((await send({ page: 42 })).body.errcode).toBe(41030);
    h.sim.addTemplate(OTHER.appId, tpl, ['thing1']);
    const other = { touser: h.sim.openidFor(OTHER.appId, 'sam'), data: { thing1: { value: 'x' } } };
    expect((await send({ ...other, page: 'pages/other/only' }, OTHER)).body.errcode).toBe(41030);
    expect((await send({ page: 'pages/other/only' })).body.errcode).toBe(0);
  });

  test('a user who refused the template: 43101 (by user name or by openid, per template)', async () => {
    h.sim.refuseSubscription(DEMO_APP.appId, 'ruth', tpl);
    expect((await send({})).body).toMatchObject({ errcode: 43101, errmsg: expect.stringContaining('user refuse to accept the msg') });
    const tom = h.sim.openidFor(DEMO_APP.appId, 'tom');
    h.sim.addTemplate(DEMO_APP.appId, 'tpl-other', ['thing1']);
    h.sim.refuseSubscription(DEMO_APP.appId, tom, tpl);
    expect((await send({ touser: tom })).body.errcode).toBe(43101);
    expect((await send({ touser: tom, template_id: 'tpl-other', data: { thing1: { value: 'ok' } } })).body.errcode).toBe(0);
  });

  test('a non-JSON body answers 47001', async () => {
    expect((await h.api(SUBSCRIBE, h.token(), undefined, 'touser=x')).body.errcode).toBe(47001);
  });
});

/** The chunks of a PNG, each CRC checked with zlib.crc32 (independent of the simulator's own CRC). */
function pngChunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: Array<{ type: string; data: Buffer }> = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(zlib.crc32(png.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, data });
    at += 12 + length;
  }
  expect(at).toBe(png.length);
  return chunks;
}

/** Decodes a simulator PNG: IHDR, then the IDAT inflated and unfiltered (filter 0 expected) into rows of pixels. */
function decodePng(png: Buffer) {
  const chunks = pngChunks(png);
  expect(chunks[0].type).toBe('IHDR');
  expect(chunks.at(-1)).toEqual({ type: 'IEND', data: Buffer.alloc(0) });
  const ihdr = chunks[0].data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([ihdr[8], ihdr[10], ihdr[11], ihdr[12]]).toEqual([8, 0, 0, 0]);
  const channels = ihdr[9] === 6 ? 4 : ihdr[9] === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);
  const raw = zlib.inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * channels + 1;
  expect(raw.length).toBe(stride * height);
  const pixel = (x: number, y: number) => [...raw.subarray(y * stride + 1 + x * channels, y * stride + 1 + (x + 1) * channels)];
  for (let y = 0; y < height; y += 1) expect(raw[y * stride]).toBe(0);
  return { width, height, channels, pixel, chunks };
}

describe('getwxacodeunlimit', () => {
  const h = harness({ unpublishedPages: ['pages/draft/draft'] });
  const qr = (body: unknown, raw?: string) => h.api(QRCODE, h.token(), body, raw);

  test('answers a valid PNG (signature, chunk CRCs, IDAT inflating to the right size) carrying scene and page', async () => {
    const scene = "id=42&a!#$'()*+,/:;?@-._~";
    const answer = await qr({ scene, page: 'pages/index/index', width: 430 });
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('image/png');
    const image = decodePng(answer.bytes);
    expect([image.width, image.height, image.channels]).toEqual([50, 50, 3]);
    expect(image.pixel(0, 0)).toEqual([255, 255, 255]); // quiet zone
    expect(image.pixel(2, 2)).toEqual([0, 0, 0]); // finder square
    expect(readPngText(answer.bytes)).toMatchObject({ scene, page: 'pages/index/index', env_version: 'release', width: '430' });
    expect(h.sim.wxaCodes.at(-1)).toMatchObject({ appId: DEMO_APP.appId, scene, width: 430, checkPath: true, bytes: answer.bytes.length });
    // Different scenes, different pictures.
    const other = decodePng((await qr({ scene: 'id=43' })).bytes);
    const differs = Array.from(
      { length: 50 * 50 },
      (_, i) => image.pixel(i % 50, Math.floor(i / 50)).join() !== other.pixel(i % 50, Math.floor(i / 50)).join()
    );
    expect(differs.some(Boolean)).toBe(true);
  });

  test('line_color and is_hyaline: coloured modules, transparent background (RGBA)', async () => {
    const answer = await qr({ scene: 'c', line_color: { r: 200, g: 10, b: 30 }, is_hyaline: true });
    const image = decodePng(answer.bytes);
    expect(image.channels).toBe(4);
    expect(image.pixel(0, 0)[3]).toBe(0);
    expect(image.pixel(2, 2)).toEqual([200, 10, 30, 255]);
  });

  test('bad scenes answer 40169: missing, empty, over 32 characters, characters outside the set; a non-JSON body too', async () => {
    for (const scene of [undefined, '', 'x'.repeat(33), 'a b', '中文', 'a%20b', 'a"b', 7]) {
      expect((await qr({ scene })).body).toMatchObject({ errcode: 40169, errmsg: expect.stringContaining('invalid length for scene') });
    }
    expect((await qr({ scene: 'x'.repeat(32) })).type).toBe('image/png');
    expect((await qr(undefined, 'scene=abc')).body.errcode).toBe(40169);
  });

  test('pages: unpublished → 41030 unless check_path is false; a leading slash or a query → 41030', async () => {
    expect((await qr({ scene: 'p', page: 'pages/draft/draft' })).body).toMatchObject({ errcode: 41030, errmsg: expect.stringContaining('invalid page') });
    expect((await qr({ scene: 'p', page: 'pages/draft/draft', check_path: false })).type).toBe('image/png');
    expect((await qr({ scene: 'p', page: '/pages/index/index' })).body.errcode).toBe(41030);
    expect((await qr({ scene: 'p', page: 'pages/index/index?x=1' })).body.errcode).toBe(41030);
  });

  test('width is clamped to 280..1280; bad width, env_version or line_color answer 40097', async () => {
    await qr({ scene: 'w', width: 100 });
    expect(h.sim.wxaCodes.at(-1)?.width).toBe(280);
    await qr({ scene: 'w', width: 5000 });
    expect(h.sim.wxaCodes.at(-1)?.width).toBe(1280);
    for (const bad of [{ width: 'big' }, { env_version: 'beta' }, { line_color: { r: 300, g: 0, b: 0 } }, { is_hyaline: 'yes' }]) {
      expect((await qr({ scene: 'w', ...bad })).body).toMatchObject({ errcode: 40097 });
    }
    expect((await qr({ scene: 'w', env_version: 'develop', check_path: false })).type).toBe('image/png');
  });
});

describe('msg_sec_check', () => {
  const h = harness({ riskyWords: ['违禁词', 'risky', { word: 'scam', label: 20008 }] });
  let openid = '';
  const check = (body: Record<string, unknown>) => h.api(SEC_CHECK, h.token(), { version: 2, openid, scene: 2, content: 'hello', ...body });
  beforeAll(() => {
    openid = h.sim.openidFor(DEMO_APP.appId, 'uma');
  });

  test('pass (label 100), risky by a risky word (its label), review by a review word', async () => {
    const pass = (await check({})).body;
    expect(pass).toEqual({
      errcode: 0,
      errmsg: 'ok',
      trace_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
      result: { suggest: 'pass', label: 100 },
      detail: [{ strategy: 'content_model', errcode: 0, suggest: 'pass', label: 100, prob: 0 }],
    });
    const risky = (await check({ content: '这是违禁词' })).body;
    expect(risky.result).toEqual({ suggest: 'risky', label: 20006 });
    expect(risky.detail).toContainEqual(expect.objectContaining({ strategy: 'keyword', keyword: '违禁词', suggest: 'risky' }));
    expect((await check({ content: 'This is RISKY' })).body.result).toEqual({ suggest: 'risky', label: 20006 });
    expect((await check({ content: 'a scam' })).body.result).toEqual({ suggest: 'risky', label: 20008 });
    expect((await check({ content: 'please review', nickname: 'x' })).body.result).toEqual({ suggest: 'review', label: 21000 });
    expect((await check({ content: '内容待审核' })).body.result.suggest).toBe('review');
    expect((await check({ content: 'fine', nickname: 'risky name' })).body.result.suggest).toBe('risky');
  });

  test('openid: unknown 40003, of another app 43104', async () => {
    expect((await check({ openid: 'oNobody' })).body).toMatchObject({ errcode: 40003, errmsg: expect.stringContaining('invalid openid') });
    expect((await check({ openid: undefined })).body.errcode).toBe(40003);
    expect((await check({ openid: h.sim.openidFor(OTHER.appId, 'uma') })).body.errcode).toBe(43104);
  });

  test('scene outside 1..4 answers 40129', async () => {
    for (const scene of [0, 5, '2', undefined, 1.5]) expect((await check({ scene })).body.errcode).toBe(40129);
    for (const scene of [1, 4]) expect((await check({ scene })).body.errcode).toBe(0);
  });

  test('empty content 44002, over 2500 characters 47001, version other than 2 47001', async () => {
    expect((await check({ content: '' })).body).toMatchObject({ errcode: 44002, errmsg: expect.stringContaining('empty post data') });
    expect((await check({ content: undefined })).body.errcode).toBe(44002);
    expect((await check({ content: '字'.repeat(2500) })).body.errcode).toBe(0);
    expect((await check({ content: '字'.repeat(2501) })).body).toMatchObject({ errcode: 47001, errmsg: expect.stringContaining('data format error') });
    expect((await check({ version: 1 })).body.errcode).toBe(47001);
    expect((await h.api(SEC_CHECK, h.token(), undefined, 'nope')).body.errcode).toBe(47001);
  });
});

describe('faults on the new APIs', () => {
  const h = harness();
  beforeAll(() => h.sim.addTemplate(DEMO_APP.appId, 'tpl', ['thing1']));

  test('setFault applies to the next request of any API, before the token check', async () => {
    h.sim.setFault({ kind: 'errcode', errcode: -1 }, 2);
    expect((await h.api(PHONE, null, { code: 'phone_vic_1' })).body).toMatchObject({ errcode: -1, errmsg: expect.stringContaining('system error') });
    expect((await h.api(QRCODE, h.token(), { scene: 'x' })).body.errcode).toBe(-1);
    expect((await h.api(QRCODE, h.token(), { scene: 'x' })).type).toBe('image/png');
    h.sim.setFault({ kind: 'http500' }, 1);
    expect((await h.post('/cgi-bin/stable_token', {})).status).toBe(500);
    expect((await h.stableToken()).access_token).toEqual(expect.any(String));
  });

  test('setFault for one API: only its requests misbehave and count towards times (msg_sec_check over its daily quota)', async () => {
    const openid = h.sim.openidFor(DEMO_APP.appId, 'quinn');
    h.sim.setFault({ kind: 'errcode', errcode: 45009 }, 2, 'msgSecCheck');
    try {
      const token = (await h.stableToken()).access_token as string;
      expect((await h.api(QRCODE, token, { scene: 'x' })).type).toBe('image/png');
      for (let i = 0; i < 2; i += 1) {
        expect((await h.api(SEC_CHECK, token, { version: 2, openid, scene: 1, content: 'hello' })).body).toEqual({
          errcode: 45009,
          errmsg: expect.stringMatching(/^reach max api daily quota limit, rid: [0-9a-f]+$/),
        });
      }
      expect((await h.api(SEC_CHECK, token, { version: 2, openid, scene: 1, content: 'hello' })).body).toMatchObject({
        errcode: 0,
        result: { suggest: 'pass' },
      });
    } finally {
      h.sim.setFault(null);
    }
  });

  test('fault codes in the phone code, template_id, scene and content', async () => {
    const openid = h.sim.openidFor(DEMO_APP.appId, 'wes');
    expect((await h.api(PHONE, h.token(), { code: 'fault_err45011_1' })).body.errcode).toBe(45011);
    expect((await h.api(SUBSCRIBE, h.token(), { touser: openid, template_id: 'fault_err43101_1', data: {} })).body.errcode).toBe(43101);
    expect((await h.api(QRCODE, h.token(), { scene: 'fault_err45009_1' })).body.errcode).toBe(45009);
    expect((await h.api(SEC_CHECK, h.token(), { version: 2, openid, scene: 1, content: 'fault_nonjson_1' })).bytes.toString()).toBe('{"errcode":0,"openid":');
    expect((await h.api(QRCODE, h.token(), { scene: 'fault_http500_1' })).status).toBe(500);
  });
});

describe('counters and control endpoints', () => {
  const h = harness();

  test('stats.calls per AppID and API, totals, phoneBilled; /__sim/stats has them; getStats is a copy', async () => {
    const token = h.token();
    const openid = h.sim.openidFor(DEMO_APP.appId, 'xia');
    h.sim.addTemplate(DEMO_APP.appId, 'tpl', ['thing1']);
    await h.api(PHONE, token, { code: 'phone_xia_1' });
    await h.api(SUBSCRIBE, token, { touser: openid, template_id: 'tpl', data: { thing1: { value: 'x' } } });
    await h.api(QRCODE, token, { scene: 's' });
    await h.api(SEC_CHECK, token, { version: 2, openid, scene: 1, content: 'c' });
    await h.api(SEC_CHECK, null, {});
    const snapshot = h.sim.getStats();
    expect(snapshot.calls[DEMO_APP.appId]).toEqual({
      code2session: 0,
      stableToken: 0,
      stableTokenForced: 0,
      phone: 1,
      subscribe: 1,
      qrcode: 1,
      msgSecCheck: 1,
      checkSession: 0,
      snsAccessToken: 0,
      snsUserInfo: 0,
    });
    expect(snapshot.totals).toEqual({
      code2session: 0,
      stableToken: 0,
      stableTokenForced: 0,
      phone: 1,
      subscribe: 1,
      qrcode: 1,
      msgSecCheck: 2,
      checkSession: 0,
      snsAccessToken: 0,
      snsUserInfo: 0,
    });
    expect(snapshot.phoneBilled).toEqual({ [DEMO_APP.appId]: 1 });
    const served = (await h.call('GET', '/__sim/stats')).body;
    expect(served).toMatchObject({ code2session: 0, stableToken: 0, calls: snapshot.calls, totals: snapshot.totals, phoneBilled: snapshot.phoneBilled });
    await h.api(PHONE, token, { code: 'phone_xia_2' });
    expect(snapshot.calls[DEMO_APP.appId].phone).toBe(1);
    expect(h.sim.stats.calls[DEMO_APP.appId].phone).toBe(2);
  });

  test('/__sim/phone-code, /__sim/template, /__sim/refuse, /__sim/token, /__sim/messages', async () => {
    const phone = (await h.post('/__sim/phone-code', { user: 'yan', phoneNumber: '13700000000' })).body;
    expect(phone).toEqual({ code: expect.stringMatching(/^[0-9a-f]{64}$/), openid: h.sim.openidFor(DEMO_APP.appId, 'yan'), phoneNumber: '13700000000' });
    expect((await h.api(PHONE, h.token(), { code: phone.code })).body.phone_info.phoneNumber).toBe('13700000000');
    expect((await h.post('/__sim/template', { templateId: 'tpl-http', keys: ['thing1'] })).body).toEqual({ ok: true });
    const send = () => h.api(SUBSCRIBE, h.token(), { touser: phone.openid, template_id: 'tpl-http', data: { thing1: { value: 'hi' } } });
    expect((await send()).body.errcode).toBe(0);
    expect((await h.call('GET', '/__sim/messages')).body.at(-1)).toMatchObject({ templateId: 'tpl-http', user: 'yan' });
    await h.post('/__sim/refuse', { user: 'yan', templateId: 'tpl-http' });
    expect((await send()).body.errcode).toBe(43101);
    const token = h.token();
    expect((await h.post('/__sim/token', { action: 'invalidate' })).body).toEqual({ ok: true, invalidated: true });
    expect((await h.api(QRCODE, token, { scene: 'x' })).body.errcode).toBe(40001);
    expect(h.token()).toBe(token);
    expect((await h.post('/__sim/token', { action: 'expire' })).body).toEqual({ ok: true, invalidated: true });
    expect(h.token()).not.toBe(token);
    expect((await h.post('/__sim/token', { action: 'other' })).body.ok).toBe(false);
  });
});
