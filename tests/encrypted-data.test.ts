/**
 * The user's encrypted open data and session key (issue 10, docs/encrypted-data.md), against a real
 * Strapi 4.26 and the WeChat simulator: POST /api/strapi-wechat-miniprogram-auth/decrypt, the
 * `sessions` service's decrypt and checkSessionKey, the encryptedData.decrypt permission, and no
 * session key, access token or AppSecret in any answer or log line.
 */
import { randomBytes } from 'crypto';
import request from 'supertest';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { expectNoSecrets, expectStrapiError, login, registerLocalUser, ResponseLog } from './helpers/login';
import { expectStatus, IDENTITY_UID, logLines } from './helpers/apps';
import { DEMO_APP, WeChatSimulator, type EncryptedData, type SimulatorStats } from '../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const DECRYPT_PATH = `/api/${PLUGIN}/decrypt`;
const DECRYPT_ACTION = `plugin::${PLUGIN}.encryptedData.decrypt`;
const ROLE_UID = 'plugin::users-permissions.role';
const PERMISSION_UID = 'plugin::users-permissions.permission';

// A (the default) and B are bound to one Open Platform account: one user per person across them. C is not.
const A = { ...DEMO_APP, openPlatformId: 'op-decrypt' };
const B = { appId: 'wx00000000000000d1', appSecret: 'd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1', openPlatformId: 'op-decrypt' };
const C = { appId: 'wx00000000000000d2', appSecret: 'd2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2' };
const APPS = [A, B, C];
// Secrets at rest on: session keys may be stored sealed; the routes read them through the secrets service.
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

const sim = new WeChatSimulator({ apps: APPS });
const responses = new ResponseLog();
/** Access tokens the simulator handed out (they change when the tests invalidate them). */
const accessTokens = new Set<string>();
/** Session keys the tests made up (written into rows), besides those the simulator issued. */
const madeUpKeys: string[] = [];
let app: TestApp;

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'encrypted-data',
    pluginConfig: { apiBaseUrl, apps: APPS.map(({ appId, appSecret }) => ({ appId, appSecret })), encryption: { key: ENCRYPTION_KEY } },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

// ---------------------------------------------------------------------------------------------

const sessions = () => app.strapi.plugin(PLUGIN).service('sessions');

async function wechatLogin(user: string, appId: string = A.appId) {
  const res = responses.add(await login(app.server, { code: sim.issueCode(appId, user), appId }));
  expectStatus(res, 200);
  return res.body as { token: string; user: { id: number; openid: string } };
}

function decrypt(token: string | null, body: unknown) {
  const req = request(app.server).post(DECRYPT_PATH);
  if (token) req.set('Authorization', `Bearer ${token}`);
  return (typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object)).then((res) => responses.add(res));
}

const localUser = (username: string) => registerLocalUser(app.server, username, responses);

const stats = (): SimulatorStats => sim.getStats();
const wechatRequests = () => Object.values(stats().totals).reduce((a, b) => a + b, 0);
const decryptLogLines = () => app.logs.lines.filter((l) => l.includes('encrypted data of user'));

/** What the mini program would get from wx.getWeRunData now (the user's current session key in that app). */
function weRun(user: string, appId: string = A.appId, watermark?: { appid?: string; timestamp?: number }): EncryptedData {
  return sim.encryptData(appId, user, undefined, watermark ? { watermark } : {});
}

/** Writes a stored session key straight into the user's identity row (the identity guard refuses other writes). */
async function setStoredSessionKey(userId: number, appId: string, value: string | null) {
  const meta = app.strapi.db.metadata.get(IDENTITY_UID);
  const identity = await app.strapi.db.query(IDENTITY_UID).findOne({ where: { appId, user: { id: userId } }, select: ['id'] });
  await app.strapi.db
    .connection(meta.tableName)
    .where({ id: identity.id })
    .update({ [meta.attributes.sessionKey.columnName]: value });
}

function rememberToken(appId: string) {
  accessTokens.add(sim.getAccessToken(appId));
}

// ---------------------------------------------------------------------------------------------

describe('POST /api/strapi-wechat-miniprogram-auth/decrypt', () => {
  test('decrypts WeRun data encrypted with the session key of the user’s login: the object, watermark included; WeChat is not called', async () => {
    const { token } = await wechatLogin('amy');
    const before = wechatRequests();
    const res = await decrypt(token, weRun('amy'));
    expectStatus(res, 200);
    expect(res.body).toEqual({ ...sim.weRunDataFor('amy'), watermark: { appid: A.appId, timestamp: expect.any(Number) } });
    expect(Math.abs(res.body.watermark.timestamp * 1000 - Date.now())).toBeLessThan(60_000);
    expect(wechatRequests()).toBe(before);
  });

  test('share and group info: any object WeChat encrypted comes back as it is', async () => {
    const { token } = await wechatLogin('ben');
    const share = { openGId: 'tGz9x1abcdefghijklmnopqrstuv', chatType: 2, 昵称: '群 ✓' };
    const res = await decrypt(token, sim.encryptData(A.appId, 'ben', share));
    expectStatus(res, 200);
    expect(res.body).toEqual({ ...share, watermark: { appid: A.appId, timestamp: expect.any(Number) } });
  });

  test('a stale key: a later wx.login (whose code never reached the server) renewed it: 409, call wx.login and log in again; then it works', async () => {
    const { token } = await wechatLogin('cai');
    // wx.login again on the device: WeChat renews the session key; the server still holds the old one.
    sim.issueCode(A.appId, 'cai');
    const res = await decrypt(token, weRun('cai'));
    expectStrapiError(res, 409);
    expect(res.body.error.details).toEqual({ appId: A.appId, reason: 'session_expired' });
    expect(res.body.error.message).toMatch(/wx\.login\(\), log in again/);
    // Logging in again stores the current key.
    const again = await wechatLogin('cai');
    expectStatus(await decrypt(again.token, weRun('cai')), 200);
  });

  test('every decrypt failure answers the same: stale key, random bytes, another user’s data, a wrong stored key', async () => {
    const { token, user } = await wechatLogin('dan');
    await wechatLogin('eli');
    const block = (n: number) => randomBytes(16 * n).toString('base64');
    const answers = [
      await decrypt(token, { encryptedData: block(2), iv: block(1) }),
      await decrypt(token, { encryptedData: block(7), iv: block(1) }),
      await decrypt(token, weRun('eli')),
    ];
    const key = randomBytes(16).toString('base64');
    madeUpKeys.push(key);
    await setStoredSessionKey(user.id, A.appId, key);
    answers.push(await decrypt(token, weRun('dan')));
    for (const res of answers) expectStrapiError(res, 409);
    expect(new Set(answers.map((res) => JSON.stringify(res.body)))).toEqual(new Set([JSON.stringify(answers[0].body)]));
    expect(answers[0].text).not.toMatch(/padding|json|utf|bad decrypt|key length/i);
  });

  test('data made for another app (watermark appid) is a 400 saying so', async () => {
    const { token } = await wechatLogin('fay');
    const res = await decrypt(token, weRun('fay', A.appId, { appid: C.appId }));
    expectStrapiError(res, 400);
    expect(res.body.error.details).toEqual({ appId: A.appId, reason: 'wrong_app' });
    expect(res.body.error.message).toMatch(new RegExp(`not made for the mini program ${A.appId}`));
    const none = await decrypt(token, sim.encryptData(A.appId, 'fay', { a: 1 }, { watermark: null }));
    expectStrapiError(none, 400);
    expect(none.body.error.details.reason).toBe('wrong_app');
  });

  test('an old watermark (over 10 minutes), or one far ahead of the server’s clock, is a 400 asking for fresh data', async () => {
    const { token } = await wechatLogin('gus');
    const seconds = (ms: number) => Math.floor(ms / 1000);
    const old = await decrypt(token, weRun('gus', A.appId, { timestamp: seconds(Date.now() - 11 * 60_000) }));
    expectStrapiError(old, 400);
    expect(old.body.error.details).toEqual({ appId: A.appId, reason: 'stale_data' });
    expect(old.body.error.message).toMatch(/get it again/);
    expectStrapiError(await decrypt(token, weRun('gus', A.appId, { timestamp: seconds(Date.now() + 6 * 60_000) })), 400);
    expectStatus(await decrypt(token, weRun('gus', A.appId, { timestamp: seconds(Date.now() - 9 * 60_000) })), 200);
  });

  test('malformed input is a 400 before anything else: no session read, WeChat not called', async () => {
    const { token } = await wechatLogin('hal');
    const good = weRun('hal');
    // (A JSON text that is not an object or array never gets here: Strapi's body parser refuses it.)
    const bodies: unknown[] = [
      '',
      '[]',
      {},
      { iv: good.iv },
      { encryptedData: good.encryptedData },
      { ...good, encryptedData: '' },
      { ...good, encryptedData: 42 },
      { ...good, encryptedData: `${good.encryptedData.slice(0, -4)}!!!=` },
      { ...good, encryptedData: good.encryptedData.slice(0, -1) },
      // Base64, but not whole AES blocks.
      { ...good, encryptedData: randomBytes(20).toString('base64') },
      { ...good, encryptedData: randomBytes(32).toString('base64url') + 'AA' },
      // Too large: over 32 KiB of text.
      { ...good, encryptedData: randomBytes(24 * 1024 + 16).toString('base64') },
      { ...good, iv: randomBytes(12).toString('base64') },
      { ...good, iv: randomBytes(24).toString('base64') },
      { ...good, iv: 'not base64 at all!!!!!==' },
      { ...good, iv: null },
      { ...good, appId: 'not-an-appid' },
      { ...good, appId: 7 },
      { ...good, extra: true },
    ];
    const wechatBefore = wechatRequests();
    const logsBefore = decryptLogLines().length;
    for (const body of bodies) {
      const res = await decrypt(token, body);
      expectStrapiError(res, 400);
      expect(res.body.error.name).toBe('ValidationError');
    }
    expect(wechatRequests()).toBe(wechatBefore);
    expect(decryptLogLines().length).toBe(logsBefore);
    // The same data, well formed, still decrypts.
    expectStatus(await decrypt(token, good), 200);
  });

  test('without a users-permissions JWT: 403 (the Public role lacks the action); a bad JWT: 401', async () => {
    await wechatLogin('ivy');
    const sealed = weRun('ivy');
    expectStrapiError(await decrypt(null, sealed), 403);
    expectStrapiError(await decrypt('not.a.jwt', sealed), 401);
  });

  test('no identity in that app: 409 asking to log in from it first (a local account; a WeChat user and another app)', async () => {
    const local = await localUser('localdecrypt');
    const noWeChat = await decrypt(local.jwt, weRun('amy'));
    expectStrapiError(noWeChat, 409);
    expect(noWeChat.body.error.details).toEqual({ appId: A.appId, reason: 'no_identity' });
    expect(noWeChat.body.error.message).toMatch(new RegExp(`Log in with WeChat from the mini program ${A.appId} first`));

    const { token } = await wechatLogin('jo');
    sim.issueCode(C.appId, 'jo');
    const otherApp = await decrypt(token, { ...weRun('jo', C.appId), appId: C.appId });
    expectStrapiError(otherApp, 409);
    expect(otherApp.body.error.details).toEqual({ appId: C.appId, reason: 'no_identity' });
  });

  test('an unknown appId is a 400 naming it', async () => {
    const { token } = await wechatLogin('kim');
    const res = await decrypt(token, { ...weRun('kim'), appId: 'wx00000000000000ff' });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ reason: 'unknown_app' });
  });

  test('two apps: appId picks that app’s session key; without it, the default app’s', async () => {
    const fromA = await wechatLogin('lou', A.appId);
    const fromB = await wechatLogin('lou', B.appId);
    expect(fromB.user.id).toBe(fromA.user.id);
    const dataB = weRun('lou', B.appId);
    const resB = await decrypt(fromA.token, { ...dataB, appId: B.appId });
    expectStatus(resB, 200);
    expect(resB.body.watermark.appid).toBe(B.appId);
    // B's data with A's key (the default app): not decryptable.
    expectStrapiError(await decrypt(fromA.token, dataB), 409);
    const resA = await decrypt(fromB.token, weRun('lou', A.appId));
    expectStatus(resA, 200);
    expect(resA.body.watermark.appid).toBe(A.appId);
    // The AppID in any case.
    expectStatus(await decrypt(fromA.token, { ...weRun('lou', B.appId), appId: B.appId.toUpperCase().replace('WX', 'wx') }), 200);
  });

  test('a stored key sealed with the configured encryption key is opened; one no configured key opens is a 409 and a warning (no key in it)', async () => {
    const { token, user } = await wechatLogin('max');
    const current = sim.sessionKeyFor(A.appId, 'max') as string;
    const sealed = app.strapi.plugin(PLUGIN).service('secrets').seal(current);
    expect(sealed).not.toContain(current);
    await setStoredSessionKey(user.id, A.appId, sealed);
    expectStatus(await decrypt(token, weRun('max')), 200);

    await setStoredSessionKey(user.id, A.appId, `wxenc:v1:00000000:${randomBytes(12).toString('base64url')}:${randomBytes(32).toString('base64url')}`);
    const from = app.logs.lines.length;
    const res = await decrypt(token, weRun('max'));
    expectStrapiError(res, 409);
    expect(res.body.error.details.reason).toBe('session_expired');
    expect(logLines(app.logs, 'warn', from).map((l) => l.message)).toEqual([expect.stringMatching(/session key of identity #\d+ .*cannot be decrypted/)]);

    await setStoredSessionKey(user.id, A.appId, null);
    expectStrapiError(await decrypt(token, weRun('max')), 409);
  });
});

describe('the sessions service, for app code', () => {
  test('decrypt({ userId, appId?, encryptedData, iv }): the object; the same errors as the route', async () => {
    const { user } = await wechatLogin('ned');
    await wechatLogin('ned', B.appId);
    expect(await sessions().decrypt({ userId: user.id, ...weRun('ned') })).toMatchObject({ stepInfoList: expect.any(Array) });
    expect(await sessions().decrypt({ userId: user.id, appId: B.appId, ...weRun('ned', B.appId) })).toMatchObject({ watermark: { appid: B.appId } });
    await expect(sessions().decrypt({ userId: user.id, encryptedData: 'x', iv: 'y' })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(sessions().decrypt({ userId: 'one', ...weRun('ned') })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(sessions().decrypt({ userId: user.id, appId: C.appId, ...weRun('ned') })).rejects.toMatchObject({
      status: 409,
      details: { reason: 'no_identity' },
    });
  });

  test('checkSessionKey: valid after the login; false (expired) after a newer wx.login elsewhere; valid again after logging in', async () => {
    const { user } = await wechatLogin('oda');
    rememberToken(A.appId);
    expect(await sessions().checkSessionKey({ userId: user.id })).toEqual({ valid: true, appId: A.appId });
    rememberToken(A.appId);
    sim.issueCode(A.appId, 'oda');
    expect(await sessions().checkSessionKey({ userId: user.id })).toEqual({ valid: false, appId: A.appId, reason: 'expired' });
    await wechatLogin('oda');
    expect(await sessions().checkSessionKey({ userId: user.id, appId: A.appId })).toEqual({ valid: true, appId: A.appId });
  });

  test('checkSessionKey: a stored key that is not the current one (wrong signature) is false; no identity or no key is false with the reason', async () => {
    const { user } = await wechatLogin('pam');
    const key = randomBytes(16).toString('base64');
    madeUpKeys.push(key);
    await setStoredSessionKey(user.id, A.appId, key);
    expect(await sessions().checkSessionKey({ userId: user.id })).toEqual({ valid: false, appId: A.appId, reason: 'expired' });
    await setStoredSessionKey(user.id, A.appId, null);
    const before = stats().totals.checkSession;
    expect(await sessions().checkSessionKey({ userId: user.id })).toEqual({ valid: false, appId: A.appId, reason: 'no_session_key' });
    expect(await sessions().checkSessionKey({ userId: user.id, appId: C.appId })).toEqual({ valid: false, appId: C.appId, reason: 'no_identity' });
    expect(stats().totals.checkSession).toBe(before);
    await expect(sessions().checkSessionKey({ userId: user.id, appId: 'wx00000000000000ff' })).rejects.toMatchObject({ details: { reason: 'unknown_app' } });
  });

  test('checkSessionKey: an access token WeChat refused (40001, 42001) is replaced once and the check retried once', async () => {
    const { user } = await wechatLogin('quinn');
    expect((await sessions().checkSessionKey({ userId: user.id })).valid).toBe(true);
    for (const refuse of [() => sim.invalidateToken(A.appId, { stableReturnsNew: true }), () => sim.expireToken(A.appId)]) {
      rememberToken(A.appId);
      refuse();
      const before = stats().calls[A.appId];
      expect(await sessions().checkSessionKey({ userId: user.id })).toEqual({ valid: true, appId: A.appId });
      const after = stats().calls[A.appId];
      expect({ checks: after.checkSession - before.checkSession, tokens: after.stableToken - before.stableToken }).toEqual({ checks: 2, tokens: 1 });
      rememberToken(A.appId);
    }
  });

  test('checkSessionKey: WeChat failing is an error (not a false), with no token in it', async () => {
    const { user } = await wechatLogin('rex');
    sim.setFault({ kind: 'errcode', errcode: -1 }, 1);
    await expect(sessions().checkSessionKey({ userId: user.id })).rejects.toMatchObject({ status: 503 });
    sim.setFault({ kind: 'http500' }, 1);
    const error: Untyped = await sessions()
      .checkSessionKey({ userId: user.id })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502 });
    expectNoSecrets(`${error.message} ${JSON.stringify(error.details)}`, [...accessTokens, sim.getAccessToken(A.appId)]);
  });
});

describe('the encryptedData.decrypt permission', () => {
  test('granted to the Authenticated role at the first start, and only there', async () => {
    const rows = await app.strapi.db.query(PERMISSION_UID).findMany({ where: { action: DECRYPT_ACTION }, populate: ['role'] });
    expect(rows.map((r: Untyped) => r.role?.type)).toEqual(['authenticated']);
  });

  test('removed: refused with 403 before anything is read', async () => {
    const { token } = await wechatLogin('sue');
    const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
    await app.strapi.db.query(PERMISSION_UID).delete({ where: { action: DECRYPT_ACTION, role: { id: role.id } } });
    try {
      const logsBefore = decryptLogLines().length;
      expectStrapiError(await decrypt(token, { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }), 403);
      expect(decryptLogLines().length).toBe(logsBefore);
    } finally {
      await app.strapi.db.query(PERMISSION_UID).create({ data: { action: DECRYPT_ACTION, role: role.id } });
    }
    expectStatus(await decrypt(token, weRun('sue')), 200);
  });
});

describe('secrets', () => {
  test('no session key, access token, AppSecret or encryption key in any response or log line', () => {
    for (const { appId } of APPS) rememberToken(appId);
    const secrets = [...APPS.map((a) => a.appSecret), ...accessTokens, ...sim.issuedSessionKeys, ...madeUpKeys, ENCRYPTION_KEY];
    expect(sim.issuedSessionKeys.length).toBeGreaterThan(20);
    expectNoSecrets([app.logs.text(), responses.text()].join('\n'), secrets);
  });
});
