/**
 * The simulator's session keys (no Strapi): each wx.login renews the user's session_key in the app,
 * GET /wxa/checksession with its errcodes, and encrypted open data for a (user, app) made with the
 * current key (encryptData, POST /__sim/encrypted-data).
 */
import { createDecipheriv, createHmac } from 'crypto';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const OTHER: SimulatedApp = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210' };
// 2024-01-01 12:00 Beijing time.
const START = Date.UTC(2024, 0, 1, 4, 0, 0);
const clock = START;
const sim = new WeChatSimulator({ apps: [DEMO_APP, OTHER], now: () => clock });
let url: string;

beforeAll(async () => {
  url = await sim.start();
});
afterAll(() => sim.stop());

async function get(path: string) {
  const res = await fetch(`${url}${path}`);
  return (await res.json()) as Record<string, unknown>;
}
async function post(path: string, body: unknown) {
  const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

const code2session = (code: string, app: SimulatedApp = DEMO_APP) =>
  get(`/sns/jscode2session?appid=${app.appId}&secret=${app.appSecret}&js_code=${encodeURIComponent(code)}&grant_type=authorization_code`);

const sign = (key: string) => createHmac('sha256', key).update('').digest('hex');

function checksession(params: Record<string, string | undefined>, token: string | null = sim.getAccessToken(DEMO_APP.appId)) {
  const query = new URLSearchParams();
  if (token !== null) query.set('access_token', token);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  return get(`/wxa/checksession?${query.toString()}`);
}

function decrypt(key: string, sealed: { encryptedData: string; iv: string }): Record<string, unknown> {
  const decipher = createDecipheriv('aes-128-cbc', Buffer.from(key, 'base64'), Buffer.from(sealed.iv, 'base64'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.encryptedData, 'base64')), decipher.final()]).toString('utf8'));
}

describe('session keys', () => {
  test('code2session answers the key of the wx.login that minted the code; a later wx.login renews it, even unexchanged', async () => {
    const code = sim.issueCode(DEMO_APP.appId, 'kai');
    const minted = sim.sessionKeyFor(DEMO_APP.appId, 'kai');
    expect(minted).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect((await code2session(code)).session_key).toBe(minted);
    sim.issueCode(DEMO_APP.appId, 'kai');
    expect(sim.sessionKeyFor(DEMO_APP.appId, 'kai')).not.toBe(minted);
    expect(sim.issuedSessionKeys).toContain(sim.sessionKeyFor(DEMO_APP.appId, 'kai'));
    // A sim_ code is a wx.login and its exchange at once.
    const viaSim = (await code2session('sim_kai_1')).session_key;
    expect(viaSim).toBe(sim.sessionKeyFor(DEMO_APP.appId, 'kai'));
    // Per app.
    expect(sim.sessionKeyFor(OTHER.appId, 'kai')).toBeNull();
    await code2session('sim_kai_2', OTHER);
    expect(sim.sessionKeyFor(OTHER.appId, 'kai')).not.toBe(sim.sessionKeyFor(DEMO_APP.appId, 'kai'));
  });
});

describe('GET /wxa/checksession', () => {
  test('the current key signs ok; the key a later wx.login replaced answers 87009', async () => {
    await code2session('sim_lin_1');
    const openid = sim.openidFor(DEMO_APP.appId, 'lin');
    const key = sim.sessionKeyFor(DEMO_APP.appId, 'lin') as string;
    expect(await checksession({ openid, signature: sign(key), sig_method: 'hmac_sha256' })).toEqual({ errcode: 0, errmsg: 'ok' });
    sim.issueCode(DEMO_APP.appId, 'lin');
    expect(await checksession({ openid, signature: sign(key), sig_method: 'hmac_sha256' })).toMatchObject({
      errcode: 87009,
      errmsg: expect.stringMatching(/^invalid signature/),
    });
    const current = sim.sessionKeyFor(DEMO_APP.appId, 'lin') as string;
    expect(await checksession({ openid, signature: sign(current), sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 0 });
  });

  test('errcodes: openid missing 41009, unknown or another app’s 40003, signature wrong / missing / other sig_method / no key yet 87009', async () => {
    await code2session('sim_mei_1');
    const openid = sim.openidFor(DEMO_APP.appId, 'mei');
    const signature = sign(sim.sessionKeyFor(DEMO_APP.appId, 'mei') as string);
    expect(await checksession({ signature, sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 41009 });
    expect(await checksession({ openid: 'oNotAnOpenidTheSimulatorMade', signature, sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 40003 });
    expect(await checksession({ openid: sim.openidFor(OTHER.appId, 'mei'), signature, sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 40003 });
    expect(await checksession({ openid, signature: sign('AAAAAAAAAAAAAAAAAAAAAA=='), sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 87009 });
    expect(await checksession({ openid, sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 87009 });
    expect(await checksession({ openid, signature, sig_method: 'md5' })).toMatchObject({ errcode: 87009 });
    expect(await checksession({ openid, signature })).toMatchObject({ errcode: 87009 });
    // Known in the app (openidFor), never logged in there: no key to match.
    const stranger = sim.openidFor(DEMO_APP.appId, 'stranger');
    expect(await checksession({ openid: stranger, signature, sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 87009 });
    // Upper-case hex is the same signature.
    expect(await checksession({ openid, signature: signature.toUpperCase(), sig_method: 'hmac_sha256' })).toMatchObject({ errcode: 0 });
  });

  test('the access token: missing 41001, malformed 40014, unknown or invalidated 40001, expired 42001; POST 43001; counted', async () => {
    await code2session('sim_ning_1');
    const params = {
      openid: sim.openidFor(DEMO_APP.appId, 'ning'),
      signature: sign(sim.sessionKeyFor(DEMO_APP.appId, 'ning') as string),
      sig_method: 'hmac_sha256',
    };
    const before = sim.getStats();
    expect(await checksession(params, null)).toMatchObject({ errcode: 41001 });
    expect(await checksession(params, 'short')).toMatchObject({ errcode: 40014 });
    expect(await checksession(params, 'A'.repeat(64))).toMatchObject({ errcode: 40001 });
    const token = sim.getAccessToken(DEMO_APP.appId);
    sim.expireToken(DEMO_APP.appId);
    expect(await checksession(params, token)).toMatchObject({ errcode: 42001 });
    const fresh = sim.getAccessToken(DEMO_APP.appId);
    sim.invalidateToken(DEMO_APP.appId, { stableReturnsNew: true });
    expect(await checksession(params, fresh)).toMatchObject({ errcode: 40001 });
    expect(await checksession(params)).toMatchObject({ errcode: 0 });
    expect(await post(`/wxa/checksession?access_token=${sim.getAccessToken(DEMO_APP.appId)}`, {})).toMatchObject({ errcode: 43001 });
    const after = sim.getStats();
    // Every request but the wrong method; the AppID only where the token names it.
    expect(after.totals.checkSession - before.totals.checkSession).toBe(6);
    expect(after.calls[DEMO_APP.appId].checkSession - (before.calls[DEMO_APP.appId]?.checkSession ?? 0)).toBe(3);
  });
});

describe('encrypted open data', () => {
  test('encryptData: WeRun data by default, watermark { appid, timestamp: now }, the current key', async () => {
    await code2session('sim_olga_1');
    const key = sim.sessionKeyFor(DEMO_APP.appId, 'olga') as string;
    const sealed = sim.encryptData(DEMO_APP.appId, 'olga');
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(16);
    const data = decrypt(key, sealed);
    expect(data).toEqual({ ...sim.weRunDataFor('olga'), watermark: { appid: DEMO_APP.appId, timestamp: START / 1000 } });
    const days = (data.stepInfoList as Array<{ timestamp: number; step: number }>).map((d) => d.timestamp);
    expect(days).toHaveLength(31);
    // Beijing midnights, the last one today.
    expect(days.at(-1)).toBe(Date.UTC(2023, 11, 31, 16, 0, 0) / 1000);
    expect(days.every((t, i) => i === 0 || t - days[i - 1] === 86400)).toBe(true);
  });

  test('own data, a watermark changed or left out, another key; no key in that app throws', async () => {
    await code2session('sim_pia_1');
    const key = sim.sessionKeyFor(DEMO_APP.appId, 'pia') as string;
    const share = { openGId: 'tGabcdefghijklmnopqrstuvwxyz12' };
    expect(decrypt(key, sim.encryptData(DEMO_APP.appId, 'pia', share, { watermark: { appid: OTHER.appId, timestamp: 1 } }))).toEqual({
      ...share,
      watermark: { appid: OTHER.appId, timestamp: 1 },
    });
    expect(decrypt(key, sim.encryptData(DEMO_APP.appId, 'pia', share, { watermark: null }))).toEqual(share);
    const other = 'AAAAAAAAAAAAAAAAAAAAAA==';
    expect(decrypt(other, sim.encryptData(DEMO_APP.appId, 'pia', share, { sessionKey: other }))).toMatchObject(share);
    expect(() => sim.encryptData(OTHER.appId, 'pia')).toThrow(/no session_key/);
  });

  test('POST /__sim/encrypted-data does the same for other processes', async () => {
    await code2session('sim_quan_1');
    const key = sim.sessionKeyFor(DEMO_APP.appId, 'quan') as string;
    const sealed = await post('/__sim/encrypted-data', { user: 'quan' });
    expect(decrypt(key, sealed as { encryptedData: string; iv: string })).toMatchObject({ watermark: { appid: DEMO_APP.appId } });
    const custom = await post('/__sim/encrypted-data', { user: 'quan', data: { a: 1 }, watermark: { timestamp: 5 } });
    expect(decrypt(key, custom as { encryptedData: string; iv: string })).toEqual({ a: 1, watermark: { appid: DEMO_APP.appId, timestamp: 5 } });
    expect(await post('/__sim/encrypted-data', { appid: OTHER.appId, user: 'quan' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no session_key/),
    });
  });
});

describe('session key retention (sessionKeyRetentionMs)', () => {
  let now = START;
  const retaining = new WeChatSimulator({ apps: [DEMO_APP], now: () => now, sessionKeyRetentionMs: 60_000 });
  let base: string;
  beforeAll(async () => {
    base = await retaining.start();
  });
  afterAll(() => retaining.stop());

  const exchange = async (code: string) => {
    const res = await fetch(`${base}/sns/jscode2session?appid=${DEMO_APP.appId}&secret=${DEMO_APP.appSecret}&js_code=${code}&grant_type=authorization_code`);
    return ((await res.json()) as { session_key: string }).session_key;
  };

  test('logins within the period get the key back; the first login after it gets a new one; each user and app its own', async () => {
    const first = await exchange('sim_rita_1');
    now += 59_000;
    expect(await exchange('sim_rita_2')).toBe(first);
    expect(retaining.issueCode(DEMO_APP.appId, 'rita')).toMatch(/^[0-9a-f]{32}$/);
    expect(retaining.sessionKeyFor(DEMO_APP.appId, 'rita')).toBe(first);
    expect(await exchange('sim_sam_1')).not.toBe(first);
    // Counted from when the key was issued, not from its last use.
    now += 1_000;
    const renewed = await exchange('sim_rita_3');
    expect(renewed).not.toBe(first);
    expect(await exchange('sim_rita_4')).toBe(renewed);
  });

  test('the command line takes it as --session-key-retention-ms (or the environment) and refuses a non-number', async () => {
    const { startSimulatorFromEnv } = await import('../simulator/cli');
    const sim2 = await startSimulatorFromEnv(['--port', '0', '--session-key-retention-ms', '60000']);
    try {
      const get = async (code: string) =>
        (
          (await (
            await fetch(`${sim2.baseUrl}/sns/jscode2session?appid=${DEMO_APP.appId}&secret=${DEMO_APP.appSecret}&js_code=${code}&grant_type=authorization_code`)
          ).json()) as { session_key: string }
        ).session_key;
      expect(await get('sim_ute_1')).toBe(await get('sim_ute_2'));
    } finally {
      await sim2.stop();
    }
    await expect(startSimulatorFromEnv(['--port', '0', '--session-key-retention-ms', 'soon'])).rejects.toThrow(/whole number/);
  });

  test('POST /__sim/session-key-retention changes it at run time (a bench switches between kept and renewed keys)', async () => {
    const set = (body: unknown) => fetch(`${base}/__sim/session-key-retention`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
    expect(await set({ ms: 0 })).toEqual({ ok: true });
    const a = await exchange('sim_wes_1');
    expect(await exchange('sim_wes_2')).not.toBe(a);
    expect(await set({ ms: 'long' })).toEqual({ ok: false, error: 'ms must be a whole number ≥ 0' });
    expect(await set({ ms: 60_000 })).toEqual({ ok: true });
    const b = await exchange('sim_wes_3');
    expect(await exchange('sim_wes_4')).toBe(b);
  });
});

test('by default every wx.login renews the key', async () => {
  const a = await code2session('sim_vera_1');
  const b = await code2session('sim_vera_2');
  expect(a.session_key).not.toBe(b.session_key);
});
