/**
 * The WeChat HTTP client on its own (no Strapi): encoding, keep-alive, deadlines, parsing, and
 * errors that carry no secret.
 */
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
