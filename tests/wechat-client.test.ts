/**
 * The WeChat HTTP client on its own (no Strapi): encoding, keep-alive, deadlines, parsing, and
 * errors that carry no secret or access token; the server APIs on an access token, body limits.
 */
import fs from 'fs';
import http from 'http';
import path from 'path';
import type { AddressInfo } from 'net';
import { createWeChatClient, WeChatApiError, WeChatTransportError } from '../server/wechat/wechat-client';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const sim = new WeChatSimulator({ apps: [{ ...DEMO_APP, openPlatformId: 'op-client' }] });
let client: ReturnType<typeof createWeChatClient>;

beforeAll(async () => {
  const baseUrl = await sim.start();
  client = createWeChatClient({ baseUrl: `${baseUrl}/`, timeoutMs: 800 });
});
afterAll(async () => {
  client.close();
  await sim.stop();
});

const exchange = (code: string) => client.code2session(DEMO_APP.appId, DEMO_APP.appSecret, code);

test('code2session returns openid, session key and unionid', async () => {
  const result = await exchange('sim_carol_1');
  expect(result).toEqual({
    openid: sim.openidFor(DEMO_APP.appId, 'carol'),
    unionid: sim.unionidFor('op-client', 'carol'),
    sessionKey: sim.issuedSessionKeys[sim.issuedSessionKeys.length - 1],
  });
});

test('parameters are URL-encoded: a code cannot smuggle extra parameters', async () => {
  const code = 'sim_carol_2&grant_type=x&js_code=sim_carol_3';
  await expect(exchange(code)).rejects.toMatchObject({ errcode: 40029 });
  expect(sim.receivedCodes[sim.receivedCodes.length - 1]).toBe(code);
});

test('sequential calls reuse one keep-alive connection', async () => {
  const before = sim.stats.connections;
  for (let i = 0; i < 5; i += 1) await exchange(`sim_keepalive_${i}`);
  expect(sim.stats.connections - before).toBeLessThanOrEqual(1);
});

test.each(['fault_delay2000_1', 'fault_hang_1', 'fault_drip_1'])('%s ends as a timeout at the deadline', async (code) => {
  const started = Date.now();
  const error = await exchange(code).catch((e) => e);
  expect(error).toBeInstanceOf(WeChatTransportError);
  expect(error.failure).toBe('timeout');
  expect(Date.now() - started).toBeLessThan(800 + 700);
});

test.each([
  ['fault_http500_1', 'http-status'],
  ['fault_nonjson_1', 'bad-body'],
  ['fault_html_1', 'bad-body'],
  ['fault_reset_1', 'network'],
])('%s → %s', async (code, failure) => {
  await expect(exchange(code)).rejects.toMatchObject({ failure });
});

test('errcodes become WeChatApiError, with no secret, URL or code in the error', async () => {
  const error = await client.code2session(DEMO_APP.appId, 'f'.repeat(32), 'sim_dave_1').catch((e) => e);
  expect(error).toBeInstanceOf(WeChatApiError);
  expect(error.errcode).toBe(40125);
  const dump = JSON.stringify({ ...error, message: error.message, stack: error.stack });
  expect(dump).not.toContain('f'.repeat(32));
  expect(dump).not.toContain('jscode2session');
  expect(dump).not.toContain('sim_dave_1');
});

test('a refused connection is a network failure without the URL', async () => {
  const dead = createWeChatClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
  const error = await dead.code2session(DEMO_APP.appId, DEMO_APP.appSecret, 'sim_x_1').catch((e) => e);
  dead.close();
  expect(error).toMatchObject({ failure: 'network' });
  expect(`${error.message} ${error.stack}`).not.toContain(DEMO_APP.appSecret);
});

test('stable_token returns the access token; wrong credentials are errcodes', async () => {
  const token = await client.stableToken(DEMO_APP.appId, DEMO_APP.appSecret);
  expect(token.accessToken).toMatch(/.{20,}/);
  expect(token.expiresIn).toBeGreaterThan(7000);
  await expect(client.stableToken('wxffffffffffffffff', DEMO_APP.appSecret)).rejects.toMatchObject({ errcode: 40013 });
});

describe('server APIs on an access token', () => {
  const token = () => sim.getAccessToken(DEMO_APP.appId);
  const user = (name: string) => sim.openidFor(DEMO_APP.appId, name);

  test('stable_token force_refresh hands out a new token; the old one is refused (40001), and the error carries no token', async () => {
    const old = (await client.stableToken(DEMO_APP.appId, DEMO_APP.appSecret)).accessToken;
    const fresh = await client.stableToken(DEMO_APP.appId, DEMO_APP.appSecret, { forceRefresh: true });
    expect(fresh.accessToken).not.toBe(old);
    const error = await client.msgSecCheck(old, { openid: user('zoe'), scene: 1, content: 'hi' }).catch((e) => e);
    expect(error).toBeInstanceOf(WeChatApiError);
    expect(error).toMatchObject({ api: 'msg_sec_check', errcode: 40001 });
    const dump = JSON.stringify({ ...error, message: error.message, stack: error.stack });
    expect(dump).not.toContain(old);
    expect(dump).not.toContain('access_token');
  });

  test('getuserphonenumber, msg_sec_check, subscribe send and getwxacodeunlimit answer as typed', async () => {
    expect(await client.getPhoneNumber(token(), { code: sim.issuePhoneCode(DEMO_APP.appId, 'yan'), openid: user('yan') })).toEqual(sim.phoneNumberFor('yan'));
    expect(await client.msgSecCheck(token(), { openid: user('yan'), scene: 2, content: 'hello' })).toEqual({
      suggest: 'pass',
      label: 100,
      traceId: expect.any(String),
    });
    sim.addTemplate(DEMO_APP.appId, 'tmpl1', ['thing1']);
    const sent = await client.sendSubscribeMessage(token(), { touser: user('yan'), template_id: 'tmpl1', data: { thing1: { value: 'x' } } });
    expect(sent.msgid).toMatch(/^\d+$/);
    const image = await client.getUnlimitedQRCode(token(), { scene: 'a=1' });
    expect(image.contentType).toBe('image/png');
    expect(image.data.subarray(1, 4).toString('latin1')).toBe('PNG');
    await expect(client.getUnlimitedQRCode(token(), { scene: 'bad scene' })).rejects.toMatchObject({ api: 'getwxacodeunlimit', errcode: 40169 });
    await expect(
      client.call(token(), { method: 'POST', path: '/wxa/msg_sec_check', body: { version: 2, openid: user('yan'), scene: 1, content: 'x' } })
    ).resolves.toMatchObject({
      errcode: 0,
      result: { suggest: 'pass' },
    });
  });

  test('the generic call refuses a path that is not a relative path of the API, without a request', async () => {
    const before = sim.getStats().totals;
    for (const path of ['https://evil.example/x', '//evil.example/x', 'wxa/x', '/wxa/../x']) {
      await expect(client.call(token(), { method: 'GET', path })).rejects.toBeInstanceOf(TypeError);
    }
    expect(sim.getStats().totals).toEqual(before);
  });
});

describe('answers the simulator does not give', () => {
  let server: http.Server;
  let answer: (res: http.ServerResponse) => void = () => undefined;
  let odd: ReturnType<typeof createWeChatClient>;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    odd = createWeChatClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 800 });
  });
  afterAll(async () => {
    odd.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a 64-bit msgid is kept digit for digit', async () => {
    answer = (res) => res.end('{"errcode":0,"errmsg":"ok","msgid":294402298110051942}');
    expect(await odd.sendSubscribeMessage('t', { touser: 'o', template_id: 't', data: {} })).toEqual({ msgid: '294402298110051942' });
  });

  test('47003 names the data key from errmsg, nothing else of it', async () => {
    answer = (res) => res.end('{"errcode":47003,"errmsg":"argument invalid! data.time2.value invalid time rid: 6543"}');
    await expect(odd.sendSubscribeMessage('t', { touser: 'o', template_id: 't', data: {} })).rejects.toMatchObject({ errcode: 47003, field: 'time2' });
  });

  test('a mini program code up to 2 MiB is read; a larger one, or JSON over 64 KiB, is a bad body', async () => {
    const png = (size: number) => (res: http.ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'image/jpeg' });
      res.end(Buffer.alloc(size, 1));
    };
    answer = png(1.5 * 1024 * 1024);
    expect((await odd.getUnlimitedQRCode('t', { scene: 'a' })).data.length).toBe(1.5 * 1024 * 1024);
    answer = png(2 * 1024 * 1024 + 1);
    await expect(odd.getUnlimitedQRCode('t', { scene: 'a' })).rejects.toMatchObject({ failure: 'bad-body' });
    answer = (res) => res.end(JSON.stringify({ errcode: 0, result: { suggest: 'pass', label: 100 }, pad: 'x'.repeat(70 * 1024) }));
    await expect(odd.msgSecCheck('t', { openid: 'o', scene: 1, content: 'x' })).rejects.toMatchObject({ failure: 'bad-body' });
  });

  test('a mini program code answered as text/plain JSON with errcode 0 and no image is a bad body', async () => {
    answer = (res) => res.end('{"errcode":0,"errmsg":"ok"}');
    await expect(odd.getUnlimitedQRCode('t', { scene: 'a' })).rejects.toMatchObject({ api: 'getwxacodeunlimit', failure: 'bad-body' });
  });

  test('token calls end at the deadline too', async () => {
    answer = () => undefined; // never answers
    const started = Date.now();
    await expect(odd.getPhoneNumber('t', { code: 'c' })).rejects.toMatchObject({ failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(800 + 700);
  });
});

test('server/wechat/ stays Strapi-free: it imports only itself, Node and axios', () => {
  const dir = path.join(__dirname, '..', 'server', 'wechat');
  const imports = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map((m) => `${f}: ${m[1]}`));
  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((i) => !/: (\.\/[\w-]+|http|https|axios|crypto)$/.test(i))).toEqual([]);
});
