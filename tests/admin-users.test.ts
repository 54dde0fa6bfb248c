/**
 * The admin panel's WeChat users API (/strapi-wechat-miniprogram-auth/users) against a real Strapi 4.26 and the
 * WeChat simulator: search by each key (openid, unionid, phone number, nickname, user id, username, email), one
 * person's card, each action (clear nickname, clear avatar, unbind phone, detach identity, block/unblock) and its
 * audit entry, the RBAC actions (a read-only role sees and cannot act; a role without users.read gets 403), bad
 * input (400, nothing changed), and no session key, AppSecret, sealed value or full phone number in any answer.
 */
import request from 'supertest';
import sharp from 'sharp';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { adminWithRole, createRole, registerFirstAdmin } from './helpers/admin';
import { expectNoSecrets, expectStrapiError, login, registerLocalUser, ResponseLog } from './helpers/login';
import { expectStatus } from './helpers/apps';
import { countIdentities, identityFor } from './helpers/identities';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const BASE = `/${PLUGIN}/users`;
const USER_UID = 'plugin::users-permissions.user';
const FILE_UID = 'plugin::upload.file';
const AUDIT_UID = `plugin::${PLUGIN}.admin-audit`;
const PROFILE_PATH = `/api/${PLUGIN}/profile`;
const ACTION = (name: string) => `plugin::${PLUGIN}.${name}`;

// A and B are bound to one Open Platform account (one user per person across them); C is not.
const A = { ...DEMO_APP, openPlatformId: 'op-admin-users' };
const B = { appId: 'wx00000000000000b3', appSecret: 'b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3', openPlatformId: 'op-admin-users' };
const C = { appId: 'wx00000000000000c3', appSecret: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3' };
const sim = new WeChatSimulator({ apps: [A, B, C] });
const responses = new ResponseLog();
let app: TestApp;
const tokens = {} as Record<'superAdmin' | 'reader' | 'settingsOnly', string>;
const SUPER_EMAIL = 'users-super@example.com';

/** The people of this file: alice (A and B, phone, profile), bob (C only), carol (a local account). */
const people = {} as Record<'alice' | 'bob' | 'carol', number>;
const PHONE = '13912345678';

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'users-view-api',
    pluginConfig: {
      apiBaseUrl,
      apps: [
        { appId: A.appId, appSecret: A.appSecret, name: 'Shop' },
        { appId: B.appId, appSecret: B.appSecret, name: 'Club' },
        { appId: C.appId, appSecret: C.appSecret },
      ],
    },
  });
  tokens.superAdmin = await registerFirstAdmin(app.server, SUPER_EMAIL);
  tokens.reader = await adminWithRole(
    app.strapi,
    app.server,
    'users-reader@example.com',
    await createRole(app.strapi, 'WeChat users reader', [ACTION('users.read')])
  );
  tokens.settingsOnly = await adminWithRole(
    app.strapi,
    app.server,
    'settings-only@example.com',
    await createRole(app.strapi, 'Settings reader', [ACTION('settings.read')])
  );

  const alice = await wechatLogin('alice', A.appId, { userInfo: { nickName: 'Alice from login', avatarUrl: 'https://example.com/alice.png' } });
  people.alice = alice.user.id;
  expect((await wechatLogin('alice', B.appId)).user.id).toBe(people.alice);
  expect((await wechatLogin('alice', A.appId, { phoneCode: sim.issuePhoneCode(A.appId, 'alice', PHONE) })).phone).toMatchObject({ bound: true });
  const avatar = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 10, g: 200, b: 90 } } })
    .png()
    .toBuffer();
  const profile = await request(app.server)
    .put(PROFILE_PATH)
    .set('Authorization', `Bearer ${alice.token}`)
    .field('nickName', 'Alice Wonder')
    .attach('avatar', avatar, { filename: 'a.png', contentType: 'image/png' });
  expectStatus(responses.add(profile), 200);
  people.bob = (await wechatLogin('bob', C.appId)).user.id;
  people.carol = (await registerLocalUser(app.server, 'carol-local', responses)).user.id;
});

afterAll(async () => {
  // Nothing any answer carried may be a secret: AppSecrets, session keys, the full phone number, a sealed value.
  const text = responses.text();
  const sessionKeys = ['alice', 'bob'].flatMap((user) => [A, B, C].map((a) => sim.sessionKeyFor(a.appId, user) ?? ''));
  expectNoSecrets(text, [A.appSecret, B.appSecret, C.appSecret, ...sessionKeys]);
  expect(text).not.toMatch(/wxenc:|"sessionKey"|session_key|"password"/i);
  await app?.stop();
  await sim.stop();
});

// ---------------------------------------------------------------------------------------------

async function wechatLogin(user: string, appId: string, extra: Record<string, unknown> = {}) {
  const res = responses.add(await login(app.server, { code: sim.issueCode(appId, user), appId, ...extra }));
  expectStatus(res, 200);
  return res.body as { token: string; user: { id: number }; phone?: Record<string, unknown> };
}

async function call(method: 'get' | 'post', path: string, token: string | null, body?: unknown) {
  let req = request(app.server)[method](`${BASE}${path}`);
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  return responses.add(await (body === undefined ? req : req.send(body as object)));
}
const search = (term: unknown, token: string | null = tokens.superAdmin) => call('post', '/search', token, { term });
const card = (id: number | string, token: string | null = tokens.superAdmin) => call('get', `/${id}`, token);
const act = (id: number | string, action: string, token: string | null = tokens.superAdmin) => call('post', `/${id}/${action}`, token, {});
const detach = (id: number | string, identityId: number | string, token: string | null = tokens.superAdmin) =>
  call('post', `/${id}/identities/${identityId}/detach`, token, {});

const users = () => app.strapi.db.query(USER_UID);
const auditEntries = (where: Record<string, unknown> = {}): Promise<Untyped[]> => app.strapi.db.query(AUDIT_UID).findMany({ where, orderBy: { id: 'asc' } });
const userRow = (id: number) =>
  users().findOne({
    where: { id },
    select: ['id', 'blocked', 'unionid', 'wechatNickname', 'wechatUserInfo', 'phoneNumber', 'purePhoneNumber', 'phoneCountryCode', 'phoneVerifiedAt'],
    populate: { wechatAvatar: { select: ['id'] } },
  });
/** What a refused request must leave as it was. */
const snapshot = async () => ({
  alice: await userRow(people.alice),
  bob: await userRow(people.bob),
  identities: await countIdentities(app.strapi),
  files: await app.strapi.db.query(FILE_UID).count(),
  audit: (await auditEntries()).length,
});
const matchedIds = (res: request.Response) => (res.body.data.results as Array<{ id: number }>).map((r) => r.id);

// ---------------------------------------------------------------------------------------------

describe('access', () => {
  const ROUTES: Array<[string, (token: string | null) => Promise<request.Response>]> = [
    ['POST /users/search', (t) => search('alice', t)],
    ['GET /users/:id', (t) => card(people.alice, t)],
    ['POST /users/:id/clear-nickname', (t) => act(people.alice, 'clear-nickname', t)],
    ['POST /users/:id/clear-avatar', (t) => act(people.alice, 'clear-avatar', t)],
    ['POST /users/:id/unbind-phone', (t) => act(people.alice, 'unbind-phone', t)],
    [
      'POST /users/:id/identities/:identityId/detach',
      async (t) => detach(people.alice, (await identityFor(app.strapi, sim.openidFor(A.appId, 'alice')))!.id, t),
    ],
    ['POST /users/:id/block', (t) => act(people.alice, 'block', t)],
    ['POST /users/:id/unblock', (t) => act(people.alice, 'unblock', t)],
  ];
  const ACTIONS = ROUTES.slice(2);

  test.each(ROUTES)('%s needs an admin JWT (401) and users.read (403 for a role without it); nothing changes', async (_route, run) => {
    const before = await snapshot();
    expectStrapiError(await run(null), 401); // no admin JWT
    expectStrapiError(await run(tokens.settingsOnly), 403);
    expect(await snapshot()).toEqual(before);
  });

  test('a read-only role (users.read) can search and open a card', async () => {
    const found = await search(sim.openidFor(A.appId, 'alice'), tokens.reader);
    expectStatus(found, 200);
    expect(matchedIds(found)).toEqual([people.alice]);
    expectStatus(await card(people.alice, tokens.reader), 200);
  });

  test.each(ACTIONS)('a read-only role is refused %s (403) and nothing changes', async (_route, run) => {
    const before = await snapshot();
    expectStrapiError(await run(tokens.reader), 403);
    expect(await snapshot()).toEqual(before);
  });

  test('the RBAC actions are registered for the roles page', async () => {
    const registered = app.strapi.admin.services.permission.actionProvider.values().map((a: Untyped) => a.actionId);
    for (const name of ['users.read', 'users.moderate', 'users.unbind-phone', 'users.detach-identity', 'users.block'])
      expect(registered).toContain(ACTION(name));
  });
});

describe('search', () => {
  const cases: Array<readonly [string, () => string, 'alice' | 'bob' | 'carol']> = [
    ['openid', () => sim.openidFor(A.appId, 'alice'), 'alice'],
    ['openid', () => sim.openidFor(C.appId, 'bob'), 'bob'],
    ['unionid', () => sim.unionidFor(A.openPlatformId, 'alice'), 'alice'],
    ['phone', () => PHONE, 'alice'],
    ['phone', () => '139 1234 5678', 'alice'],
    ['nickname', () => 'ice wond', 'alice'],
    ['username', () => 'carol-loc', 'carol'],
    ['email', () => 'carol-local@example', 'carol'],
  ];
  test.each(cases)('by %s', async (key, term, person) => {
    const res = await search(term());
    expectStatus(res, 200);
    const match = (res.body.data.results as Array<{ id: number; matchedBy: string[] }>).find((r) => r.id === people[person]);
    expect(match?.matchedBy).toContain(key);
  });

  test('by user id; a match lists what is needed to pick it, the phone masked', async () => {
    const res = await search(String(people.alice));
    expectStatus(res, 200);
    expect(res.body.data.results[0]).toEqual({
      id: people.alice,
      username: expect.any(String),
      email: expect.any(String),
      nickname: 'Alice Wonder',
      maskedPhone: '139****5678',
      blocked: false,
      appIds: expect.arrayContaining([A.appId, B.appId]),
      matchedBy: expect.arrayContaining(['userId']),
    });
    expect(res.text).not.toContain(PHONE);
  });

  test('a part of an openid or a phone number does not match by openid or phone (those are exact)', async () => {
    const keys = async (term: string) => (await search(term)).body.data.results.flatMap((r: { matchedBy: string[] }) => r.matchedBy);
    expect(await keys(sim.openidFor(A.appId, 'alice').slice(0, 10))).not.toContain('openid');
    expect(await keys(PHONE.slice(0, 7))).not.toContain('phone');
  });

  test.each([
    ['no body', undefined],
    ['no term', {}],
    ['a number', { term: 5 }],
    ['an empty term', { term: '' }],
    ['blanks', { term: '   ' }],
    ['too long', { term: 'x'.repeat(129) }],
    ['a control character', { term: 'ali\u0000ce' }],
    ['an unknown field', { term: 'alice', limit: 1000 }],
  ])('400 for %s', async (_what, body) => {
    const res = await call('post', '/search', tokens.superAdmin, body);
    expectStrapiError(res, 400);
    expect(res.body.error.name).toBe('ValidationError');
  });
});

describe('the card', () => {
  test("shows the person's identities per app, phone binding (masked), profile, blocked state", async () => {
    const res = await card(people.alice);
    expectStatus(res, 200);
    const user = res.body.data;
    expect(user).toMatchObject({
      id: people.alice,
      documentId: null,
      provider: 'wechat-miniprogram',
      blocked: false,
      unionid: sim.unionidFor(A.openPlatformId, 'alice'),
      nickname: 'Alice Wonder',
      loginNickname: 'Alice from login',
      avatar: { id: expect.any(Number), url: expect.stringMatching(/^\/uploads\//) },
      loginAvatarUrl: 'https://example.com/alice.png',
      phone: { maskedNumber: '139****5678', countryCode: '86', verifiedAt: expect.any(String) },
      audit: [],
    });
    expect(user.identities).toEqual([
      {
        id: expect.any(Number),
        appId: A.appId,
        appName: 'Shop',
        openid: sim.openidFor(A.appId, 'alice'),
        unionid: sim.unionidFor(A.openPlatformId, 'alice'),
        firstLoginAt: expect.any(String),
        lastLoginAt: expect.any(String),
      },
      expect.objectContaining({ appId: B.appId, appName: 'Club', openid: sim.openidFor(B.appId, 'alice') }),
    ]);
    expect(res.text).not.toContain(PHONE);
  });

  test('a local account has no identities', async () => {
    const res = await card(people.carol);
    expectStatus(res, 200);
    expect(res.body.data).toMatchObject({ identities: [], phone: null, avatar: null, nickname: null });
  });

  test.each([['abc'], ['0'], ['-1'], ['1.5'], ['01'], ['2147483648'], ['9'.repeat(20)]])('400 for the id %s', async (id) => {
    expectStrapiError(await card(id), 400);
    expectStrapiError(await act(id, 'block'), 400);
  });

  test('404 for a user that does not exist, on the card and on every action', async () => {
    const before = await snapshot();
    expectStrapiError(await card(999999), 404);
    for (const action of ['clear-nickname', 'clear-avatar', 'unbind-phone', 'block', 'unblock']) expectStrapiError(await act(999999, action), 404);
    expectStrapiError(await detach(999999, 1), 404);
    expect(await snapshot()).toEqual(before);
  });
});

describe('actions', () => {
  async function expectAudited(action: string, userId: number, details: Record<string, unknown> = {}) {
    const [entry] = (await auditEntries({ action, targetUserId: userId })).slice(-1);
    expect(entry).toMatchObject({ action, targetUserId: userId, adminEmail: SUPER_EMAIL, adminUserId: expect.any(Number), details });
    expect(entry.createdAt).toBeTruthy();
    return entry;
  }

  test('clear nickname: the profile nickname and the login one; audited; again changes nothing and is not audited', async () => {
    const res = await act(people.alice, 'clear-nickname');
    expectStatus(res, 200);
    expect(res.body.data).toMatchObject({ changed: true, user: { nickname: null, loginNickname: null } });
    const row = await userRow(people.alice);
    expect(row.wechatNickname).toBeNull();
    expect(row.wechatUserInfo).toEqual({ avatarUrl: 'https://example.com/alice.png' });
    await expectAudited('clear-nickname', people.alice, { profileNickname: true, loginNickname: true });
    expect(res.body.data.user.audit[0]).toMatchObject({ action: 'clear-nickname', adminEmail: SUPER_EMAIL });

    const count = (await auditEntries()).length;
    const again = await act(people.alice, 'clear-nickname');
    expectStatus(again, 200);
    expect(again.body.data.changed).toBe(false);
    expect((await auditEntries()).length).toBe(count);
  });

  test('clear avatar: unlinked and deleted from the Media Library; the login avatar removed; audited', async () => {
    const fileId = (await userRow(people.alice)).wechatAvatar.id;
    const res = await act(people.alice, 'clear-avatar');
    expectStatus(res, 200);
    expect(res.body.data.user).toMatchObject({ avatar: null, loginAvatarUrl: null });
    expect((await userRow(people.alice)).wechatAvatar).toBeNull();
    expect(await app.strapi.db.query(FILE_UID).findOne({ where: { id: fileId } })).toBeNull();
    await expectAudited('clear-avatar', people.alice, { fileId, loginAvatar: true });
  });

  test('unbind phone: all four fields; audited with the country code only', async () => {
    const res = await act(people.alice, 'unbind-phone');
    expectStatus(res, 200);
    expect(res.body.data.user.phone).toBeNull();
    expect(await userRow(people.alice)).toMatchObject({ phoneNumber: null, purePhoneNumber: null, phoneCountryCode: null, phoneVerifiedAt: null });
    const entry = await expectAudited('unbind-phone', people.alice, { countryCode: '86' });
    expect(JSON.stringify(entry)).not.toContain('5678');
  });

  test('block refuses the next WeChat login; unblock lets it in; both audited', async () => {
    expectStatus(await act(people.bob, 'block'), 200);
    expect((await userRow(people.bob)).blocked).toBe(true);
    expect((await card(people.bob)).body.data.blocked).toBe(true);
    const refused = responses.add(await login(app.server, { code: sim.issueCode(C.appId, 'bob'), appId: C.appId }));
    expectStrapiError(refused, 403);
    await expectAudited('block', people.bob);

    expectStatus(await act(people.bob, 'unblock'), 200);
    expect((await userRow(people.bob)).blocked).toBe(false);
    expect((await wechatLogin('bob', C.appId)).user.id).toBe(people.bob);
    await expectAudited('unblock', people.bob);
  });

  test("detach: the identity is gone; the user keeps the unionid its other identity carries, so that app's next login links back", async () => {
    const clubIdentity = (await identityFor(app.strapi, sim.openidFor(B.appId, 'alice')))!;
    const res = await detach(people.alice, clubIdentity.id);
    expectStatus(res, 200);
    expect(res.body.data.user.identities.map((i: { appId: string }) => i.appId)).toEqual([A.appId]);
    expect(await identityFor(app.strapi, sim.openidFor(B.appId, 'alice'))).toBeNull();
    expect((await userRow(people.alice)).unionid).toBe(sim.unionidFor(A.openPlatformId, 'alice'));
    await expectAudited('detach-identity', people.alice, { identityId: clubIdentity.id, appId: B.appId, unionidReleased: false });
    // The usual rules: the unionid links the new identity to the same person.
    expect((await wechatLogin('alice', B.appId)).user.id).toBe(people.alice);
  });

  test('detach every identity: the unionid is released, and the next login makes a new account', async () => {
    for (const appId of [A.appId, B.appId]) {
      const identity = (await identityFor(app.strapi, sim.openidFor(appId, 'alice')))!;
      expectStatus(await detach(people.alice, identity.id), 200);
    }
    const after = await card(people.alice);
    expect(after.body.data).toMatchObject({ identities: [], unionid: null });
    await expectAudited('detach-identity', people.alice, { unionidReleased: true });
    const again = await wechatLogin('alice', A.appId);
    expect(again.user.id).not.toBe(people.alice);
    expect((await identityFor(app.strapi, sim.openidFor(A.appId, 'alice')))!.user!.id).toBe(again.user.id);
  });

  test('detach an identity of another user, or one that does not exist: 404, nothing changes; a bad identity id: 400', async () => {
    const bobsIdentity = (await identityFor(app.strapi, sim.openidFor(C.appId, 'bob')))!;
    const before = await snapshot();
    expectStrapiError(await detach(people.carol, bobsIdentity.id), 404);
    expectStrapiError(await detach(people.bob, 999999), 404);
    expectStrapiError(await detach(people.bob, 'x'), 400);
    expectStrapiError(await detach(people.bob, '0'), 400);
    expect(await snapshot()).toEqual(before);
  });

  test('audit entries hold no openid, unionid, phone number or secret', async () => {
    const text = JSON.stringify(await auditEntries());
    for (const value of [sim.openidFor(A.appId, 'alice'), sim.openidFor(B.appId, 'alice'), sim.unionidFor(A.openPlatformId, 'alice'), PHONE]) {
      expect(text).not.toContain(value);
    }
    expect((await card(people.alice)).body.data.audit.length).toBeGreaterThanOrEqual(5);
  });
});
