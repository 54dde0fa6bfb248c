/**
 * Logging in on a website by scanning a mini program code (docs/qr-login.md), against a real Strapi
 * 4.26 and the WeChat simulator: the web page's ticket and polling, the mini program's scan, confirm
 * and cancel, and every security rule (single use, the secret, one scanning user, expiry, blocked
 * users, the rate limit, WeChat failures, nothing of it in the admin or GraphQL).
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { expectStatus, rawInsert } from './helpers/apps';
import { registerFirstAdmin } from './helpers/admin';
import { generatedForPlugin, schemaNames } from './helpers/graphql-schema';
import { createTicket, CreatedTicket, QR_LOGIN_TABLE, QR_LOGIN_UID, readTicket, ticketAction } from './helpers/qr-login';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const USER_UID = 'plugin::users-permissions.user';
const ROLE_UID = 'plugin::users-permissions.role';
const PERMISSION_UID = 'plugin::users-permissions.permission';
const QR_CONFIG_KEY = `plugin.${PLUGIN}.qrLogin`;
const PAGE = 'pages/qr-login/index';
const QR_CONFIG = { enabled: true, page: PAGE, envVersion: 'develop', checkPath: false, ttlSeconds: 120 };

const APP = DEMO_APP;
const UNPUBLISHED = 'pages/not-published/index';
const sim = new WeChatSimulator({ apps: [APP], unpublishedPages: [UNPUBLISHED] });
const responses = new ResponseLog();
let app: TestApp;
/** qrLogin as the app merged it with the defaults (ratelimit included). */
let qrConfig: Record<string, unknown>;
/** Changes qrLogin for the next requests (read at each request); `restoreQrConfig` puts it back. */
const setQrConfig = (patch: Record<string, unknown>) => app.strapi.config.set(QR_CONFIG_KEY, { ...qrConfig, ...patch });
const restoreQrConfig = () => app.strapi.config.set(QR_CONFIG_KEY, qrConfig);

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'qr-login',
    graphql: true,
    pluginConfig: {
      apiBaseUrl,
      apps: [{ appId: APP.appId, appSecret: APP.appSecret }],
      // One proxy trusted: each test asks from a network of its own (X-Forwarded-For), so the
      // creation limit (10 a minute per network) counts each test apart.
      ratelimit: { enabled: true, interval: { min: 1 }, max: 600, trustedProxies: 1 },
      qrLogin: QR_CONFIG,
    },
  });
  qrConfig = { ...app.strapi.config.get(QR_CONFIG_KEY) };
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

// ---------------------------------------------------------------------------------------------

let networks = 0;
/** An address in a /24 no other test uses. */
const freshNetwork = () => `10.${Math.floor(++networks / 250)}.${networks % 250}.7`;

const rows = () => app.strapi.db.connection(QR_LOGIN_TABLE);
const ticketRow = (ticket: string) => rows().where({ ticket }).first();
const rowCount = async () => Number((await rows().count({ n: '*' }).first()).n);
const qrCalls = () => sim.getStats().totals.qrcode;
const service = () => app.strapi.plugin(PLUGIN).service('qrLogins');

async function newTicket(from = freshNetwork()): Promise<CreatedTicket> {
  const res = responses.add(await createTicket(app.server, {}, { from }));
  expectStatus(res, 200);
  return res.body as CreatedTicket;
}

const users = new Map<string, { jwt: string; id: number }>();
/** A mini program user's JWT (logged in once per name). */
async function wechatUser(name: string): Promise<{ jwt: string; id: number }> {
  const known = users.get(name);
  if (known) return known;
  const res = responses.add(await login(app.server, { code: sim.issueCode(APP.appId, name) }));
  expectStatus(res, 200);
  const user = { jwt: res.body.token as string, id: res.body.user.id as number };
  users.set(name, user);
  return user;
}

async function act(ticket: string, action: 'scan' | 'confirm' | 'cancel', jwt: string | null) {
  return responses.add(await ticketAction(app.server, ticket, action, jwt));
}

async function read(ticket: string, secret: string | null) {
  return responses.add(await readTicket(app.server, ticket, secret));
}

/** Moves a ticket's expiry `ms` into the past (as if its time had run out that long ago). */
const expire = (ticket: string, ms = 1) =>
  rows()
    .where({ ticket })
    .update({ expires_at: Date.now() - ms });

// ---------------------------------------------------------------------------------------------

describe('the happy path', () => {
  test('create → pending → scan (the browser described) → scanned → confirm → the login, once', async () => {
    const before = qrCalls();
    const created = responses.add(await createTicket(app.server, {}, { from: '203.0.113.45' }));
    expectStatus(created, 200);
    const { ticket, secret, qrCode, expiresAt } = created.body as CreatedTicket;
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(qrCode.split(',')[1], 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(110_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);
    expect(created.headers['cache-control']).toBe('no-store');
    // The code WeChat made: scene = the ticket, the configured page and version.
    expect(qrCalls()).toBe(before + 1);
    expect(sim.wxaCodes.at(-1)).toMatchObject({ appId: APP.appId, scene: ticket, page: PAGE, envVersion: 'develop', checkPath: false });

    // The secret is stored only as a hash.
    const row = await ticketRow(ticket);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.status).toBe('pending');

    expect((await read(ticket, secret)).body).toEqual({ status: 'pending' });

    const alice = await wechatUser('alice');
    const scanned = await act(ticket, 'scan', alice.jwt);
    expectStatus(scanned, 200);
    expect(scanned.body).toEqual({
      status: 'scanned',
      browser: { device: 'Chrome 120 on macOS 10.15.7 (desktop)', network: '203.0.113.0/24', requestedAt: expect.any(String) },
      expiresAt,
    });
    expect(Math.abs(Date.parse(scanned.body.browser.requestedAt) - Date.now())).toBeLessThan(10_000);
    expect((await read(ticket, secret)).body).toEqual({ status: 'scanned' });

    expectStatus(await act(ticket, 'confirm', alice.jwt), 200);
    const collected = await read(ticket, secret);
    expectStatus(collected, 200);
    expect(collected.headers['cache-control']).toBe('no-store');
    expect(collected.body).toEqual({ status: 'confirmed', jwt: expect.any(String), user: expect.objectContaining({ id: alice.id }) });
    expect(collected.body.user).not.toHaveProperty('password');
    expect(collected.body.user).not.toHaveProperty('openid');
    // The JWT is a users-permissions one for alice.
    const me = responses.add(await request(app.server).get('/api/users/me').set('Authorization', `Bearer ${collected.body.jwt}`));
    expectStatus(me, 200);
    expect(me.body.id).toBe(alice.id);

    // No later read carries it again.
    for (let i = 0; i < 3; i++) expect((await read(ticket, secret)).body).toEqual({ status: 'confirmed' });
    expectNoSecrets(app.logs.lines.join('\n'), [secret, collected.body.jwt]);
  });

  test('appId picks the app; an empty body is the default app', async () => {
    const res = responses.add(await createTicket(app.server, { appId: APP.appId }, { from: freshNetwork() }));
    expectStatus(res, 200);
    expect((await ticketRow(res.body.ticket)).app_id).toBe(APP.appId);
  });
});

describe('single use and one user', () => {
  test('a used ticket cannot be scanned, confirmed or cancelled again', async () => {
    const { ticket, secret } = await newTicket();
    const alice = await wechatUser('alice');
    const bob = await wechatUser('bob');
    await act(ticket, 'scan', alice.jwt);
    await act(ticket, 'confirm', alice.jwt);
    expect((await read(ticket, secret)).body.jwt).toEqual(expect.any(String));
    for (const [action, jwt] of [
      ['scan', alice.jwt],
      ['confirm', alice.jwt],
      ['cancel', alice.jwt],
      ['scan', bob.jwt],
    ] as const) {
      const res = await act(ticket, action, jwt);
      expectStrapiError(res, 409);
    }
    expect((await read(ticket, secret)).body).toEqual({ status: 'confirmed' });
  });

  test('a ticket scanned by one user cannot be scanned, confirmed or cancelled by another', async () => {
    const { ticket, secret } = await newTicket();
    const alice = await wechatUser('alice');
    const bob = await wechatUser('bob');
    expectStatus(await act(ticket, 'scan', alice.jwt), 200);
    // Scanning again (the same user reopening the page) answers the same.
    expectStatus(await act(ticket, 'scan', alice.jwt), 200);
    for (const action of ['scan', 'confirm', 'cancel'] as const) {
      const res = await act(ticket, action, bob.jwt);
      expectStrapiError(res, 409);
      expect(res.body.error.details.reason).toBe('scanned_by_other');
    }
    expect((await ticketRow(ticket)).scanned_by).toBe(alice.id);
    expectStatus(await act(ticket, 'confirm', alice.jwt), 200);
    expect((await read(ticket, secret)).body.user.id).toBe(alice.id);
  });

  test('confirming before scanning is refused', async () => {
    const { ticket } = await newTicket();
    const res = await act(ticket, 'confirm', (await wechatUser('alice')).jwt);
    expectStrapiError(res, 409);
    expect(res.body.error.details.reason).toBe('not_scanned');
  });

  test('simultaneous scans by two users: one wins; simultaneous reads after confirmation: one login', async () => {
    const { ticket, secret } = await newTicket();
    const alice = await wechatUser('alice');
    const bob = await wechatUser('bob');
    const scans = await Promise.all([act(ticket, 'scan', alice.jwt), act(ticket, 'scan', bob.jwt)]);
    expect(scans.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = scans[0].status === 200 ? alice : bob;
    expectStatus(await act(ticket, 'confirm', winner.jwt), 200);
    const reads = await Promise.all(Array.from({ length: 6 }, () => read(ticket, secret)));
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const withJwt = reads.filter((r) => r.body.jwt);
    expect(withJwt).toHaveLength(1);
    expect(withJwt[0].body.user.id).toBe(winner.id);
    expect(reads.filter((r) => !r.body.jwt).map((r) => r.body)).toEqual(Array.from({ length: 5 }, () => ({ status: 'confirmed' })));
  });
});

describe('the secret', () => {
  test('without it, or with another, nobody collects; it is only read from the X-Login-Secret header', async () => {
    const { ticket, secret } = await newTicket();
    const other = await newTicket();
    const alice = await wechatUser('alice');
    await act(ticket, 'scan', alice.jwt);
    await act(ticket, 'confirm', alice.jwt);

    expectStrapiError(await read(ticket, null), 400);
    // In the URL, it is not read at all.
    const inQuery = responses.add(await request(app.server).get(`/api/${PLUGIN}/qr-logins/${ticket}`).query({ secret }));
    expectStrapiError(inQuery, 400);
    // Another ticket's secret, and a made-up one: as if the ticket did not exist.
    for (const wrong of [other.secret, 'A'.repeat(43)]) {
      const res = await read(ticket, wrong);
      expectStrapiError(res, 404);
      expect(res.body.error.message).toBe((await read('B'.repeat(24), wrong)).body.error.message);
    }
    expectStrapiError(await read(ticket, 'too-short'), 400);
    expect((await ticketRow(ticket)).status).toBe('confirmed');
    // The browser that has it still gets its login.
    expect((await read(ticket, secret)).body.jwt).toEqual(expect.any(String));
  });
});

describe('cancel', () => {
  test('the scanning user refuses: the browser reads cancelled; nothing can be confirmed after', async () => {
    const { ticket, secret } = await newTicket();
    const alice = await wechatUser('alice');
    await act(ticket, 'scan', alice.jwt);
    const res = await act(ticket, 'cancel', alice.jwt);
    expectStatus(res, 200);
    expect(res.body).toEqual({ status: 'cancelled' });
    expect((await read(ticket, secret)).body).toEqual({ status: 'cancelled' });
    expectStrapiError(await act(ticket, 'confirm', alice.jwt), 409);
    expect((await read(ticket, secret)).body).toEqual({ status: 'cancelled' });
  });
});

describe('expiry and sweeping', () => {
  test('a ticket lives ttlSeconds; expired, it reads expired and can no longer be scanned or confirmed', async () => {
    setQrConfig({ ttlSeconds: 30 });
    try {
      const { ticket, secret, expiresAt } = await newTicket();
      expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
      expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(20_000);
      const alice = await wechatUser('alice');
      await act(ticket, 'scan', alice.jwt);
      await expire(ticket);
      expect((await read(ticket, secret)).body).toEqual({ status: 'expired' });
      const confirm = await act(ticket, 'confirm', alice.jwt);
      expectStrapiError(confirm, 410);
      expect(confirm.body.error.details.reason).toBe('expired');
      expectStrapiError(await act(ticket, 'scan', alice.jwt), 410);
    } finally {
      restoreQrConfig();
    }
  });

  test('a confirmed login not collected within its window is gone: expired, no JWT', async () => {
    const { ticket, secret } = await newTicket();
    const alice = await wechatUser('alice');
    await act(ticket, 'scan', alice.jwt);
    await act(ticket, 'confirm', alice.jwt);
    // The collect window: about a minute from the confirmation.
    const window = Number((await ticketRow(ticket)).expires_at) - Date.now();
    expect(window).toBeGreaterThan(50_000);
    expect(window).toBeLessThanOrEqual(60_000);
    await expire(ticket);
    expect((await read(ticket, secret)).body).toEqual({ status: 'expired' });
  });

  test('expired tickets are deleted: by the sweep, and when read long after', async () => {
    const old = await newTicket();
    const recent = await newTicket();
    const live = await newTicket();
    await expire(old.ticket, 10 * 60_000);
    await expire(recent.ticket, 1000);
    expect(await service().sweep()).toBeGreaterThanOrEqual(1);
    expect(await ticketRow(old.ticket)).toBeUndefined();
    // Recently expired: still there, to read as expired.
    expect((await read(recent.ticket, recent.secret)).body).toEqual({ status: 'expired' });
    expect((await read(live.ticket, live.secret)).body).toEqual({ status: 'pending' });
    // Long expired and read before the sweep came: deleted on the read.
    await expire(recent.ticket, 10 * 60_000);
    expectStrapiError(await read(recent.ticket, recent.secret), 404);
    expect(await ticketRow(recent.ticket)).toBeUndefined();
  });
});

describe('blocked users', () => {
  test('a blocked user cannot scan or confirm; blocked after confirming, the browser gets no login', async () => {
    const carol = await wechatUser('carol');
    const first = await newTicket();
    await act(first.ticket, 'scan', carol.jwt);
    await app.strapi.db.query(USER_UID).update({ where: { id: carol.id }, data: { blocked: true } });
    const confirm = await act(first.ticket, 'confirm', carol.jwt);
    expect([401, 403]).toContain(confirm.status);
    expect((await read(first.ticket, first.secret)).body).toEqual({ status: 'scanned' });
    expect([401, 403]).toContain((await act((await newTicket()).ticket, 'scan', carol.jwt)).status);

    await app.strapi.db.query(USER_UID).update({ where: { id: carol.id }, data: { blocked: false } });
    const second = await newTicket();
    await act(second.ticket, 'scan', carol.jwt);
    expectStatus(await act(second.ticket, 'confirm', carol.jwt), 200);
    await app.strapi.db.query(USER_UID).update({ where: { id: carol.id }, data: { blocked: true } });
    const collected = await read(second.ticket, second.secret);
    expectStrapiError(collected, 403);
    expect(collected.body).not.toHaveProperty('jwt');
    expect((await read(second.ticket, second.secret)).body).toEqual({ status: 'confirmed' });
    await app.strapi.db.query(USER_UID).update({ where: { id: carol.id }, data: { blocked: false } });
  });

  test('a user deleted between confirming and the collection: no login', async () => {
    const dora = await wechatUser('dora');
    const { ticket, secret } = await newTicket();
    await act(ticket, 'scan', dora.jwt);
    expectStatus(await act(ticket, 'confirm', dora.jwt), 200);
    await app.strapi.db.query(USER_UID).delete({ where: { id: dora.id } });
    const collected = await read(ticket, secret);
    expectStrapiError(collected, 403);
    expect(collected.body).not.toHaveProperty('jwt');
  });
});

describe('access', () => {
  test('scan, confirm and cancel need a user JWT; their actions are granted to Authenticated once', async () => {
    const { ticket } = await newTicket();
    for (const action of ['scan', 'confirm', 'cancel'] as const) {
      const res = await act(ticket, action, null);
      expect([401, 403]).toContain(res.status);
      expectStrapiError(res, res.status);
    }
    expect((await ticketRow(ticket)).status).toBe('pending');
    const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
    for (const action of ['scan', 'confirm', 'cancel']) {
      const granted = await app.strapi.db.query(PERMISSION_UID).findMany({ where: { action: `plugin::${PLUGIN}.qrLogin.${action}`, role: role.id } });
      expect(granted).toHaveLength(1);
    }
  });

  test('off (qrLogin.enabled false, the default): every route answers 404', async () => {
    const { ticket, secret } = await newTicket();
    const alice = await wechatUser('alice');
    setQrConfig({ enabled: false });
    try {
      const before = qrCalls();
      expectStrapiError(responses.add(await createTicket(app.server, {}, { from: freshNetwork() })), 404);
      expectStrapiError(await read(ticket, secret), 404);
      expectStrapiError(await act(ticket, 'scan', alice.jwt), 404);
      expect(qrCalls()).toBe(before);
    } finally {
      restoreQrConfig();
    }
  });
});

describe('the rate limit on creating tickets', () => {
  test('10 a minute per network (IPv4 /24): the 11th is 429 without asking WeChat; another network is not counted', async () => {
    const before = qrCalls();
    for (let i = 1; i <= 10; i++) expectStatus(responses.add(await createTicket(app.server, {}, { from: `198.51.100.${i}` })), 200);
    const over = responses.add(await createTicket(app.server, {}, { from: '198.51.100.200' }));
    expectStrapiError(over, 429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(qrCalls()).toBe(before + 10);
    expectStatus(responses.add(await createTicket(app.server, {}, { from: '198.51.101.1' })), 200);
    // IPv6: one /48 is one network.
    for (let i = 1; i <= 10; i++) expectStatus(responses.add(await createTicket(app.server, {}, { from: `2001:db8:aa:${i}::1` })), 200);
    expectStrapiError(responses.add(await createTicket(app.server, {}, { from: '2001:db8:aa:ffff::2' })), 429);
  });
});

describe('bad input', () => {
  test.each([
    ['an unknown field', { appId: APP.appId, extra: 1 }],
    ['a malformed appId', { appId: 'nope' }],
    ['a non-string appId', { appId: 12 }],
    ['an array', [1]],
    ['an appId not configured here', { appId: 'wx00000000000000ff' }],
  ])('%s: 400, no ticket, WeChat not asked', async (_label, body) => {
    const [count, calls] = [await rowCount(), qrCalls()];
    const res = responses.add(await createTicket(app.server, body, { from: freshNetwork() }));
    expectStrapiError(res, 400);
    expect([await rowCount(), qrCalls()]).toEqual([count, calls]);
  });

  test('a malformed ticket in the URL: 400, nothing changed', async () => {
    const alice = await wechatUser('alice');
    const { ticket, secret } = await newTicket();
    for (const bad of ['short', `${ticket}x`, 'a'.repeat(23) + '%', 'a'.repeat(23) + '.']) {
      expectStrapiError(await act(bad, 'scan', alice.jwt), 400);
      expectStrapiError(await read(bad, secret), 400);
    }
    expect((await ticketRow(ticket)).status).toBe('pending');
    // Well-formed but unknown: 404.
    expectStrapiError(await act('C'.repeat(24), 'scan', alice.jwt), 404);
  });
});

describe('WeChat fails to make the code', () => {
  test.each([
    ['busy (-1)', 503, { kind: 'errcode', errcode: -1 } as const],
    ['an HTTP 500', 502, { kind: 'http500' } as const],
    ['the page refused (41030)', 502, { kind: 'errcode', errcode: 41030 } as const],
  ])('%s: %i, no ticket left', async (_label, status, fault) => {
    const count = await rowCount();
    sim.setFault(fault, 1, 'qrcode');
    const res = responses.add(await createTicket(app.server, {}, { from: freshNetwork() }));
    expectStrapiError(res, status);
    expect(await rowCount()).toBe(count);
  });

  test('a page missing from the published version, with checkPath on: 502 bad_page, no ticket', async () => {
    const count = await rowCount();
    setQrConfig({ checkPath: true, page: UNPUBLISHED });
    try {
      const res = responses.add(await createTicket(app.server, {}, { from: freshNetwork() }));
      expectStrapiError(res, 502);
      expect(res.body.error.details.reason).toBe('bad_page');
      expect(await rowCount()).toBe(count);
    } finally {
      restoreQrConfig();
    }
  });
});

describe('internal: not in the admin, not in GraphQL', () => {
  test('the Content Manager does not display the tickets; GraphQL generates nothing for them; the database refuses a duplicate ticket', async () => {
    await newTicket();
    const adminJwt = await registerFirstAdmin(app.server);
    const types = await request(app.server).get('/content-manager/content-types').set('Authorization', `Bearer ${adminJwt}`);
    expectStatus(types, 200);
    const entry = (types.body.data as Array<{ uid: string; isDisplayed: boolean }>).find((t) => t.uid === QR_LOGIN_UID);
    expect(entry?.isDisplayed).toBe(false);
    const names = await schemaNames(app.server);
    expect(generatedForPlugin(names)).toEqual({ types: [], queries: [], mutations: [] });
    // The database itself refuses a second row with a ticket already held.
    const { ticket } = await newTicket();
    const duplicate = await rawInsert(app.strapi, QR_LOGIN_UID, {
      ticket,
      secretHash: 'x',
      status: 'pending',
      appId: APP.appId,
      expiresAt: Date.now() + 60_000,
    });
    expect(duplicate?.message).toMatch(/unique|duplicate/i);
  });

  test('no response carried a stored secret hash, and the logs hold no secret', async () => {
    const hashes: string[] = (await rows().select('secret_hash')).map((r: { secret_hash: string }) => r.secret_hash);
    expect(hashes.length).toBeGreaterThan(0);
    expectNoSecrets(responses.text(), hashes);
  });
});

describe('at start', () => {
  test('long-expired tickets are deleted when Strapi starts; live ones stay', async () => {
    const old = await newTicket();
    const live = await newTicket();
    await expire(old.ticket, 10 * 60_000);
    await app.stop();
    app = await startTestApp({
      name: 'qr-login',
      keepDatabase: true,
      pluginConfig: { apiBaseUrl: sim.baseUrl, apps: [{ appId: APP.appId, appSecret: APP.appSecret }], qrLogin: QR_CONFIG },
    });
    expect(await ticketRow(old.ticket)).toBeUndefined();
    expect((await read(live.ticket, live.secret)).body).toEqual({ status: 'pending' });
  });
});
