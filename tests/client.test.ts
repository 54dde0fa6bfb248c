/**
 * The client library (client/, issue 11) as a mini program runs it: its built output (client/miniprogram_dist, what
 * "构建 npm" copies), a `wx` whose login, request, uploadFile and storage are real (tests/helpers/fake-wx.ts), a real
 * Strapi 4.26 with the plugin, and the WeChat simulator.
 */
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import sharp from 'sharp';
import { startTestApp, REPO_ROOT, TestApp } from './helpers/test-app';
import { FakeWx, httpJson } from './helpers/fake-wx';
import { createTicket, CreatedTicket, readTicket } from './helpers/qr-login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';
import type * as ClientModule from '../client/src';

const CLIENT_DIR = path.join(REPO_ROOT, 'client');
const DIST = path.join(CLIENT_DIR, 'miniprogram_dist');
const STORAGE_KEY = 'strapi-wechat-miniprogram-auth';
const USER_UID = 'plugin::users-permissions.user';
const APP = DEMO_APP;

// The routes below exist only in this test app: an answer that is always 401, a slow one, and an echo of the query.
const PROBE_FILES = {
  'src/api/probe/routes/probe.js': `module.exports = { routes: [
  { method: 'GET', path: '/probe/unauthorized', handler: 'probe.unauthorized', config: { auth: false } },
  { method: 'GET', path: '/probe/slow', handler: 'probe.slow', config: { auth: false } },
  { method: 'GET', path: '/probe/echo', handler: 'probe.echo', config: { auth: false } },
] };\n`,
  'src/api/probe/controllers/probe.js': `module.exports = {
  unauthorized(ctx) { return ctx.unauthorized('This route always answers 401'); },
  async slow(ctx) { await new Promise((r) => setTimeout(r, Number(ctx.query.ms) || 3000)); ctx.body = { slow: true }; },
  echo(ctx) { ctx.body = { query: ctx.query, authorization: ctx.request.header.authorization || null }; },
};\n`,
};

const sim = new WeChatSimulator({ apps: [APP] });
let app: TestApp;
let client: typeof ClientModule;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wxauth-client-'));

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    throw new Error('The client is not built: run `npm run build` (or `npx tsc -p client/tsconfig.json`) first.');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built output, typed by its source
  client = require(DIST) as typeof ClientModule;
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'client',
    pluginConfig: { apiBaseUrl, timeout: 1000, apps: [{ appId: APP.appId, appSecret: APP.appSecret }], qrLogin: { enabled: true, checkPath: false } },
    files: PROBE_FILES,
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

let users = 0;
/** A device of a new WeChat user: its wx, and a client on it. */
function device(options: Partial<ClientModule.ClientOptions> = {}, user = `client-user-${++users}`) {
  const wx = new FakeWx({ simulatorUrl: sim.baseUrl, appId: APP.appId, user });
  return { wx, user, api: client.createClient({ baseURL: app.server, appId: APP.appId, platform: wx, ...options }) };
}

/** The same device after the mini program was closed and opened again: same storage, new wx and client. */
function restart(wx: FakeWx, user: string) {
  const again = new FakeWx({ simulatorUrl: sim.baseUrl, appId: APP.appId, user, storage: wx.storage });
  return { wx: again, api: client.createClient({ baseURL: app.server, appId: APP.appId, platform: again }) };
}

const code2session = () => sim.getStats().totals.code2session;
const me = (api: ClientModule.WechatAuthClient) => api.request<{ id: number; username: string }>({ url: '/api/users/me' });

/** Rejects with what `promise` rejected with, or fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<ClientModule.StrapiError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error })
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(client.StrapiError);
  return outcome.error as ClientModule.StrapiError;
}

async function tinyPng(file: string, colour = { r: 10, g: 180, b: 90 }) {
  const data = await sharp({ create: { width: 64, height: 64, channels: 3, background: colour } })
    .png()
    .toBuffer();
  fs.writeFileSync(path.join(tmp, file), data);
  return { path: path.join(tmp, file), data };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------

describe('the built package', () => {
  const files = () => fs.readdirSync(DIST).filter((f) => f.endsWith('.js'));

  test('package.json: no dependencies, main/types/miniprogram point into the build', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(CLIENT_DIR, 'package.json'), 'utf8'));
    const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'strapi-wechat-miniprogram-auth-client', license: root.license, miniprogram: 'miniprogram_dist' });
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(fs.existsSync(path.join(CLIENT_DIR, pkg.main))).toBe(true);
    expect(fs.existsSync(path.join(CLIENT_DIR, pkg.types))).toBe(true);
    expect(path.dirname(pkg.main)).toBe(pkg.miniprogram);
  });

  test('every file is ES2015 script syntax and requires only its sibling files, by literal name', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- acorn (Strapi's webpack brings it) parses at a given ECMAScript version
    const acorn = require('acorn') as { parse(source: string, options: object): unknown };
    expect(files().sort()).toEqual(['client.js', 'errors.js', 'index.js', 'platform.js', 'session-store.js', 'transport.js', 'url.js']);
    for (const file of files()) {
      const source = fs.readFileSync(path.join(DIST, file), 'utf8');
      // Throws on anything after ES2015: async/await, ?., ??, **, object spread, ...
      expect(() => acorn.parse(source, { ecmaVersion: 2015, sourceType: 'script' })).not.toThrow();
      const requires = [...source.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => m[1].trim());
      for (const target of requires) {
        expect(target).toMatch(/^"\.\/[a-z-]+"$/);
        expect(fs.existsSync(path.join(DIST, `${JSON.parse(target)}.js`))).toBe(true);
      }
      expect(source).not.toMatch(/\b(process|Buffer|__dirname|__filename|globalThis|window|document)\b/);
    }
  });

  test('without a platform and without a global wx, createClient says what to pass', () => {
    expect(() => client.createClient({ baseURL: 'http://127.0.0.1:1' })).toThrow(/platform/);
  });
});

describe('login and the stored session', () => {
  test('login stores { token, user }; the session key and the AppSecret are nowhere in storage', async () => {
    const { wx, user, api } = device();
    const result = await api.login({ userInfo: { nickName: 'Ming' } });
    expect(result.token).toEqual(expect.any(String));
    expect(result.user).toMatchObject({ id: expect.any(Number), openid: sim.openidFor(APP.appId, user), wechatUserInfo: { nickName: 'Ming' } });
    expect(api.token).toBe(result.token);
    expect(api.user).toEqual(result.user);
    expect(JSON.parse(wx.storage.get(STORAGE_KEY)!)).toEqual({ token: result.token, user: result.user });
    const stored = [...wx.storage.values()].join('\n');
    for (const secret of [APP.appSecret, ...sim.issuedSessionKeys]) expect(stored.includes(secret)).toBe(false);
    expect(wx.calls[0]).toMatchObject({ method: 'POST', url: `${app.server}/api/strapi-wechat-miniprogram-auth/login`, authorization: undefined });
  });

  test('after an app restart the stored token is used as is: no wx.login, no code2session', async () => {
    const { wx, user, api } = device();
    const { user: loggedIn } = await api.login();
    const before = code2session();
    const after = restart(wx, user);
    expect(after.api.token).toBe(api.token);
    expect(after.api.user).toEqual(loggedIn);
    expect((await me(after.api)).id).toBe(loggedIn.id);
    expect(after.wx.logins).toBe(0);
    expect(code2session()).toBe(before);
    expect(after.wx.calls).toEqual([{ method: 'GET', url: `${app.server}/api/users/me`, authorization: `Bearer ${api.token}` }]);
  });

  test('without a session, concurrent requests wait for one login', async () => {
    const { wx, api } = device();
    const results = await Promise.all(Array.from({ length: 5 }, () => me(api)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(wx.logins).toBe(1);
  });

  test('a code the server calls invalid gets one more wx.login; a second invalid one is the error', async () => {
    const first = device();
    first.wx.nextCodes.push('never-issued-by-wechat');
    await first.api.login();
    expect(first.wx.logins).toBe(2);
    expect(first.api.token).toEqual(expect.any(String));

    const second = device();
    second.wx.nextCodes.push('never-issued-1', 'never-issued-2', 'never-issued-3');
    const error = await rejection(second.api.login());
    expect(error).toMatchObject({ status: 400, name: 'ApplicationError', reason: 'invalid_code', details: { reason: 'invalid_code' } });
    expect(error.message).toEqual(expect.any(String));
    expect(second.wx.logins).toBe(2);
    expect(second.api.token).toBeNull();
  });

  test('logout forgets the session; the next request logs in again', async () => {
    const { wx, api } = device();
    const { user } = await api.login();
    api.logout();
    expect(api.token).toBeNull();
    expect(api.user).toBeNull();
    expect(wx.storage.has(STORAGE_KEY)).toBe(false);
    expect((await me(api)).id).toBe(user.id);
    expect(wx.logins).toBe(2);
  });

  test('a login in flight when logout() is called does not store its session', async () => {
    const { wx, api } = device();
    const login = api.login();
    api.logout();
    await login;
    expect(api.token).toBeNull();
    expect(wx.storage.has(STORAGE_KEY)).toBe(false);
  });
});

describe('a 401', () => {
  test('an invalid stored token: 10 concurrent requests, one re-login, each retried once and answered', async () => {
    const { wx, user, api } = device();
    const { user: loggedIn } = await api.login();
    wx.storage.set(STORAGE_KEY, JSON.stringify({ token: 'not-a-valid-jwt', user: loggedIn }));
    const after = restart(wx, user);
    const before = code2session();
    const results = await Promise.all(Array.from({ length: 10 }, () => me(after.api)));
    expect(results.map((r) => r.id)).toEqual(Array(10).fill(loggedIn.id));
    expect(after.wx.logins).toBe(1);
    expect(code2session()).toBe(before + 1);
    const meCalls = after.wx.calls.filter((c) => c.url.endsWith('/api/users/me'));
    expect(meCalls).toHaveLength(20);
    expect(meCalls.filter((c) => c.authorization === 'Bearer not-a-valid-jwt')).toHaveLength(10);
    expect(meCalls.filter((c) => c.authorization === `Bearer ${after.api.token}`)).toHaveLength(10);
    expect(after.api.token).not.toBe('not-a-valid-jwt');
    expect(JSON.parse(wx.storage.get(STORAGE_KEY)!).token).toBe(after.api.token);
  });

  test('a 401 again after the re-login is the answer: no second login, no loop', async () => {
    const { wx, api } = device();
    await api.login();
    const error = await rejection(api.request({ url: '/api/probe/unauthorized' }));
    expect(error).toMatchObject({ status: 401, name: 'UnauthorizedError', message: 'This route always answers 401' });
    expect(wx.logins).toBe(2);
    expect(wx.calls.filter((c) => c.url.endsWith('/probe/unauthorized'))).toHaveLength(2);
  });

  test('a user blocked meanwhile: one re-login for 10 requests, refused (403), each request rejects with it', async () => {
    const { wx, api } = device();
    const { user } = await api.login();
    await app.strapi.db.query(USER_UID).update({ where: { id: user.id }, data: { blocked: true } });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => rejection(me(api))));
    for (const error of outcomes) expect(error).toMatchObject({ status: 403, name: 'ForbiddenError', message: expect.any(String) });
    expect(wx.logins).toBe(2);
  });
});

describe('requests', () => {
  test('relative and absolute URLs; params in Strapi bracket notation; auth: false sends no JWT and never logs in', async () => {
    const { wx, api } = device();
    const params = { filters: { title: { $eq: 'a b&c' } }, sort: ['title:asc', 'id'], pagination: { pageSize: 2 }, skip: undefined };
    const anonymous = await api.request<{ query: unknown; authorization: string | null }>({ url: 'api/probe/echo', params, auth: false });
    expect(anonymous).toEqual({
      query: { filters: { title: { $eq: 'a b&c' } }, sort: ['title:asc', 'id'], pagination: { pageSize: '2' } },
      authorization: null,
    });
    expect(wx.logins).toBe(0);
    const authed = await api.request<{ authorization: string | null }>({ url: `${app.server}/api/probe/echo?x=1`, params: { y: 2 } });
    expect(authed).toEqual({ query: { x: '1', y: '2' }, authorization: `Bearer ${api.token}` });
    expect(wx.logins).toBe(1);
  });

  test('a 4xx carries Strapi’s status, name, message and details', async () => {
    const { api } = device();
    const error = await rejection(api.request({ url: '/api/strapi-wechat-miniprogram-auth/phone', method: 'POST', data: { code: 'x', extra: 1 } }));
    expect(error).toMatchObject({ status: 400, name: 'ValidationError', message: expect.any(String), details: { errors: expect.any(Array) } });
    const missing = await rejection(api.request({ url: '/api/no-such-route' }));
    expect(missing).toMatchObject({ status: 404, name: 'NotFoundError' });
  });
});

describe('network failures reject, never hang', () => {
  test('nothing listening: the request and the login reject with status 0 NetworkError', async () => {
    const { api } = device({ baseURL: `http://127.0.0.1:${await closedPort()}` });
    expect(await rejection(api.request({ url: '/api/users/me', auth: false }))).toMatchObject({ status: 0, name: 'NetworkError' });
    expect(await rejection(api.login())).toMatchObject({ status: 0, name: 'NetworkError' });
    expect(api.token).toBeNull();
  });

  test('a server slower than the timeout: TimeoutError (status 0) at about the timeout', async () => {
    const { api } = device({ timeout: 300 });
    const started = Date.now();
    expect(await rejection(api.request({ url: '/api/probe/slow', params: { ms: 1500 }, auth: false }))).toMatchObject({ status: 0, name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('a platform that never calls back: the client gives up by itself after the timeout', async () => {
    const wx = new FakeWx({ simulatorUrl: sim.baseUrl, appId: APP.appId, user: 'client-silent' });
    const aborted: string[] = [];
    const silent = {
      ...wx,
      login: wx.login,
      getStorageSync: wx.getStorageSync,
      setStorageSync: wx.setStorageSync,
      removeStorageSync: wx.removeStorageSync,
      uploadFile: wx.uploadFile,
      request: (options: { url: string }) => ({ abort: () => aborted.push(options.url) }),
    };
    const api = client.createClient({ baseURL: app.server, platform: silent, timeout: 200 });
    const started = Date.now();
    expect(await rejection(api.request({ url: '/api/users/me', auth: false }))).toMatchObject({ status: 0, name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(aborted).toEqual([`${app.server}/api/users/me`]);
  });

  test('WeChat hanging behind Strapi: the login rejects with the plugin’s 504', async () => {
    const { wx, api } = device();
    wx.nextCodes.push(`fault_hang_${Date.now()}`);
    expect(await rejection(api.login())).toMatchObject({ status: 504, name: 'GatewayTimeoutError', message: expect.any(String) });
  });
});

describe('phone, profile, encrypted data', () => {
  test('bindPhone binds the number WeChat vouches for; the profile shows it masked', async () => {
    const { user, api } = device();
    await api.login();
    const phone = await api.bindPhone(sim.issuePhoneCode(APP.appId, user));
    const expected = sim.phoneNumberFor(user);
    expect(phone).toEqual({ phoneNumber: expected.phoneNumber, purePhoneNumber: expected.purePhoneNumber, countryCode: '86' });
    const profile = await api.getProfile<{ phone: { bound: boolean; maskedNumber: string } }>();
    expect(profile.phone).toMatchObject({ bound: true, maskedNumber: `${expected.purePhoneNumber.slice(0, 3)}****${expected.purePhoneNumber.slice(-4)}` });
    const used = await rejection(api.bindPhone(`phone_${user}_used`).then(() => api.bindPhone(`phone_${user}_used`)));
    expect(used).toMatchObject({ status: 400, name: 'ApplicationError', reason: 'invalid_code' });
  });

  test('login({ phoneCode }) binds the phone in the login request', async () => {
    const { user, api } = device();
    const result = await api.login({ phoneCode: sim.issuePhoneCode(APP.appId, user) });
    expect(result.phone).toEqual({ bound: true, ...sim.phoneNumberFor(user) });
    expect(JSON.parse(JSON.stringify(api.user))).not.toHaveProperty('phone');
  });

  test('updateProfile uploads the avatar file (multipart, with the nickname) and sets the nickname alone (JSON)', async () => {
    const { wx, api } = device();
    await api.login();
    const avatar = await tinyPng('avatar.png');
    const updated = await api.updateProfile<{ nickName: string; avatar: { url: string; mime: string; width: number } }>({
      avatarTempFilePath: avatar.path,
      nickName: '  小明 ',
    });
    expect(updated).toMatchObject({ nickName: '小明', avatar: { mime: 'image/png', width: 64 } });
    // The image Strapi stored is the one the device sent (the upload plugin may re-encode it: compare the pixels).
    const pixels = (image: Buffer | string) => sharp(image).raw().toBuffer();
    expect((await pixels(path.join(app.appDir, 'public', updated.avatar.url))).equals(await pixels(avatar.data))).toBe(true);
    const upload = wx.calls.find((c) => c.url.endsWith('/profile'));
    expect(upload).toMatchObject({ method: 'POST', authorization: `Bearer ${api.token}` });

    const renamed = await api.updateProfile<{ nickName: string; avatar: { url: string } }>({ nickName: 'Ming' });
    expect(renamed).toMatchObject({ nickName: 'Ming', avatar: { url: updated.avatar.url } });
    expect(wx.calls.at(-1)).toMatchObject({ method: 'PUT' });
    expect(await api.getProfile()).toMatchObject({ nickName: 'Ming', avatar: { url: updated.avatar.url } });
  });

  test('an upload with a stale token re-logs in once and uploads again; a file that is not an image is the server’s 400', async () => {
    const { wx, user, api } = device();
    const { user: loggedIn } = await api.login();
    wx.storage.set(STORAGE_KEY, JSON.stringify({ token: 'stale', user: loggedIn }));
    const after = restart(wx, user);
    const avatar = await tinyPng('second.png', { r: 1, g: 2, b: 3 });
    expect(await after.api.updateProfile({ avatarTempFilePath: avatar.path })).toMatchObject({ avatar: { mime: 'image/png' } });
    expect(after.wx.logins).toBe(1);
    expect(after.wx.calls.filter((c) => c.url.endsWith('/profile'))).toHaveLength(2);

    const text = path.join(tmp, 'not-an-image.png');
    fs.writeFileSync(text, 'just text');
    expect(await rejection(after.api.updateProfile({ avatarTempFilePath: text }))).toMatchObject({ status: 400, name: 'ValidationError' });
    expect(await rejection(after.api.updateProfile({ avatarTempFilePath: path.join(tmp, 'missing.png') }))).toMatchObject({
      status: 0,
      name: 'NetworkError',
    });
  });

  test('decrypt answers the decrypted data', async () => {
    const { user, api } = device();
    await api.login();
    const data = await api.decrypt<{ stepInfoList: unknown[]; watermark: { appid: string } }>(sim.encryptData(APP.appId, user));
    expect(data.stepInfoList).toEqual(sim.weRunDataFor(user).stepInfoList);
    expect(data.watermark.appid).toBe(APP.appId);
  });

  test('decrypt after a wx.login the server never saw (409): logs in again; given a function, gets the data again and answers', async () => {
    const { wx, user, api } = device();
    await api.login();
    // A wx.login whose code never reached Strapi: WeChat's key changed, the server's did not.
    await httpJson('POST', `${sim.baseUrl}/__sim/code`, { appid: APP.appId, user });
    let fetched = 0;
    const getWeRunData = () => (fetched++, sim.encryptData(APP.appId, user));
    const data = await api.decrypt<{ stepInfoList: unknown[] }>(getWeRunData);
    expect(data.stepInfoList).toEqual(sim.weRunDataFor(user).stepInfoList);
    expect(fetched).toBe(2);
    expect(wx.logins).toBe(2);

    // Given the data itself: the 409 comes back (that data cannot decrypt), but the client has logged in again,
    // so data fetched now decrypts.
    await httpJson('POST', `${sim.baseUrl}/__sim/code`, { appid: APP.appId, user });
    const stale = sim.encryptData(APP.appId, user);
    expect(await rejection(api.decrypt(stale))).toMatchObject({ status: 409, reason: 'session_expired' });
    expect(wx.logins).toBe(3);
    expect(await api.decrypt(sim.encryptData(APP.appId, user))).toHaveProperty('stepInfoList');
  });
});

describe('qrLogin: the mini program side of logging in on a website by scanning a code', () => {
  async function webTicket(): Promise<CreatedTicket> {
    const res = await createTicket(app.server);
    expect(res.status).toBe(200);
    return res.body as CreatedTicket;
  }

  test('scan (logging in first) shows the browser; confirm logs that browser in as this user', async () => {
    const { api, wx } = device();
    const { ticket, secret } = await webTicket();
    const scanned = await api.qrLogin.scan(ticket);
    expect(wx.logins).toBe(1);
    expect(scanned).toEqual({
      status: 'scanned',
      browser: { device: 'Chrome 120 on macOS 10.15.7 (desktop)', network: '127.0.0.0/24', requestedAt: expect.any(String) },
      expiresAt: expect.any(String),
    });
    expect(wx.calls.at(-1)).toMatchObject({ method: 'POST', url: `${app.server}/api/strapi-wechat-miniprogram-auth/qr-logins/${ticket}/scan` });
    expect(await api.qrLogin.confirm(ticket)).toEqual({ status: 'confirmed' });
    const web = await readTicket(app.server, ticket, secret);
    expect(web.body).toMatchObject({ status: 'confirmed', jwt: expect.any(String), user: { id: api.user!.id } });
  });

  test('cancel: the browser reads cancelled; a second user is refused with a StrapiError', async () => {
    const first = device();
    const second = device();
    const { ticket, secret } = await webTicket();
    await first.api.qrLogin.scan(ticket);
    expect(await rejection(second.api.qrLogin.confirm(ticket))).toMatchObject({ status: 409, reason: 'scanned_by_other' });
    expect(await first.api.qrLogin.cancel(ticket)).toEqual({ status: 'cancelled' });
    expect((await readTicket(app.server, ticket, secret)).body).toEqual({ status: 'cancelled' });
    expect(await rejection(first.api.qrLogin.scan('not-a-ticket'))).toMatchObject({ status: 400, name: 'ValidationError' });
  });
});
