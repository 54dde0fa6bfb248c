/**
 * The profile (docs/profile.md), against a real Strapi 4.26 with the upload plugin and the WeChat
 * simulator: PUT /api/strapi-wechat-miniprogram-auth/profile (multipart avatar into the Media
 * Library, nickname, content security through msg_sec_check) and GET, the login's userInfo beside
 * it, and the guard that keeps the profile fields the plugin's.
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import sharp from 'sharp';
import { startTestApp, TestApp, type Untyped } from './helpers/test-app';
import { expectNoSecrets, expectStrapiError, login, ResponseLog } from './helpers/login';
import { expectStatus, logLines } from './helpers/apps';
import { registerFirstAdmin } from './helpers/admin';
import { openEntry, saveEntry } from './helpers/content-manager';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const USER_UID = 'plugin::users-permissions.user';
const FILE_UID = 'plugin::upload.file';
const ROLE_UID = 'plugin::users-permissions.role';
const PERMISSION_UID = 'plugin::users-permissions.permission';
const PLUGIN = 'strapi-wechat-miniprogram-auth';
const PROFILE_PATH = `/api/${PLUGIN}/profile`;
const PROFILE_KEY = `plugin.${PLUGIN}.profile`;

const A = { ...DEMO_APP, openPlatformId: 'op-profile' };
const B = { appId: 'wx00000000000000b2', appSecret: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', openPlatformId: 'op-profile' };
const sim = new WeChatSimulator({ apps: [A, B] });
const responses = new ResponseLog();
let app: TestApp;

const DEFAULT_PROFILE = { avatarMaxBytes: 2 * 1024 * 1024, nicknameMaxLength: 32, contentSecurity: false };

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'profile',
    pluginConfig: {
      apiBaseUrl,
      apps: [
        { appId: A.appId, appSecret: A.appSecret, name: 'Shop' },
        { appId: B.appId, appSecret: B.appSecret },
      ],
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

// ---------------------------------------------------------------------------------------------

const users = () => app.strapi.db.query(USER_UID);
const files = () => app.strapi.db.query(FILE_UID);
const uploadsDir = () => path.join(app.appDir, 'public', 'uploads');
const uploadedNames = () =>
  fs
    .readdirSync(uploadsDir())
    .filter((name) => name !== '.gitkeep')
    .sort();

/** The plugin's profile config for the next requests (read at each request). */
function setProfileConfig(patch: Record<string, unknown>) {
  app.strapi.config.set(PROFILE_KEY, { ...DEFAULT_PROFILE, ...patch });
}

async function wechatLogin(user: string, appId: string = A.appId, extra: Record<string, unknown> = {}) {
  const res = responses.add(await login(app.server, { code: sim.issueCode(appId, user), appId, ...extra }));
  expectStatus(res, 200);
  return res.body as { token: string; user: { id: number; openid: string } };
}

async function getProfile(token: string | null) {
  const req = request(app.server).get(PROFILE_PATH);
  if (token) req.set('Authorization', `Bearer ${token}`);
  return responses.add(await req);
}

interface Part {
  data: Buffer;
  filename: string;
  contentType: string;
}

/** PUT as wx.uploadFile sends it: multipart/form-data, the file under `avatar`, the other fields as formData. */
async function putMultipart(token: string, fields: Record<string, string>, avatar?: Part, fileField = 'avatar', method: 'put' | 'post' = 'put') {
  const req = request(app.server)[method](PROFILE_PATH).set('Authorization', `Bearer ${token}`);
  for (const [name, value] of Object.entries(fields)) req.field(name, value);
  if (avatar) req.attach(fileField, avatar.data, { filename: avatar.filename, contentType: avatar.contentType });
  return responses.add(await req);
}

async function putJson(token: string, body: unknown) {
  return responses.add(
    await request(app.server)
      .put(PROFILE_PATH)
      .set('Authorization', `Bearer ${token}`)
      .send(body as object)
  );
}

const png = (width: number, height: number, colour = { r: 200, g: 30, b: 30 }) =>
  sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer();
const jpeg = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 20, g: 120, b: 220 } } })
    .jpeg()
    .toBuffer();
/** A PNG of random pixels (does not compress): about width × height × 3 bytes. */
const noisePng = (width: number, height: number) =>
  sharp(Buffer.from(Array.from({ length: width * height * 3 }, () => Math.floor(Math.random() * 256))), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();

async function userRow(id: number) {
  return users().findOne({ where: { id }, select: ['id', 'wechatNickname', 'wechatUserInfo'], populate: { wechatAvatar: true } });
}

/** Everything a refused request must leave as it was. */
async function snapshot(userId: number) {
  const user = await userRow(userId);
  return { user, fileCount: await files().count(), uploads: uploadedNames() };
}

const simCalls = (api: 'msgSecCheck', appId?: string) => (appId ? (sim.getStats().calls[appId]?.[api] ?? 0) : sim.getStats().totals[api]);

// ---------------------------------------------------------------------------------------------

describe('access', () => {
  test('without a JWT, or with a bad one, the profile is refused in both directions', async () => {
    for (const res of [await getProfile(null), responses.add(await request(app.server).put(PROFILE_PATH).send({ nickName: 'x' }))]) {
      expect([401, 403]).toContain(res.status);
      expectStrapiError(res, res.status);
    }
    const bad = responses.add(await request(app.server).get(PROFILE_PATH).set('Authorization', 'Bearer not-a-jwt'));
    expect([401, 403]).toContain(bad.status);
  });

  test('profile.find and profile.update are granted to Authenticated (once, recorded per action)', async () => {
    const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
    for (const action of ['find', 'update']) {
      const rows = await app.strapi.db.query(PERMISSION_UID).findMany({ where: { action: `plugin::${PLUGIN}.profile.${action}`, role: role.id } });
      expect(rows).toHaveLength(1);
    }
    const record = await app.strapi.store({ type: 'plugin', name: PLUGIN }).get({ key: 'content-api-permissions' });
    expect(Object.keys(record.granted)).toEqual(expect.arrayContaining([`plugin::${PLUGIN}.profile.find`, `plugin::${PLUGIN}.profile.update`]));
  });
});

describe('GET /profile', () => {
  test("falls back to the login's userInfo and says so; apps with names and login times; no phone", async () => {
    const userInfo = { nickName: '小明', avatarUrl: 'https://example.com/a.png', gender: 1 };
    const { token } = await wechatLogin('getter', A.appId, { userInfo });
    const res = await getProfile(token);
    expectStatus(res, 200);
    expect(res.body).toEqual({
      nickName: '小明',
      nickNameSource: 'login',
      avatar: { url: 'https://example.com/a.png', width: null, height: null, mime: null, size: null, formats: {} },
      avatarSource: 'login',
      phone: { bound: false },
      apps: [{ appId: A.appId, name: 'Shop', firstLoginAt: expect.any(String), lastLoginAt: expect.any(String) }],
    });
    // A second app: listed, without a name (none configured).
    await wechatLogin('getter', B.appId);
    const both = await getProfile(token);
    expect(both.body.apps.map((a: { appId: string; name: string | null }) => [a.appId, a.name])).toEqual([
      [A.appId, 'Shop'],
      [B.appId, null],
    ]);
    expect(JSON.stringify(both.body)).not.toContain(sim.openidFor(A.appId, 'getter'));
  });

  test('a user with nothing: nulls', async () => {
    const { token } = await wechatLogin('blank');
    const res = await getProfile(token);
    expect(res.body).toMatchObject({ nickName: null, nickNameSource: null, avatar: null, avatarSource: null, phone: { bound: false } });
  });

  test('a bound phone is shown masked, never in full', async () => {
    const { token } = await wechatLogin('phoned');
    const phone = sim.phoneNumberFor('phoned');
    const bind = responses.add(
      await request(app.server)
        .post(`/api/${PLUGIN}/phone`)
        .set('Authorization', `Bearer ${token}`)
        .send({ code: sim.issuePhoneCode(A.appId, 'phoned') })
    );
    expectStatus(bind, 200);
    const res = await getProfile(token);
    const pure = phone.purePhoneNumber;
    expect(res.body.phone).toEqual({
      bound: true,
      maskedNumber: `${pure.slice(0, 3)}****${pure.slice(-4)}`,
      countryCode: '86',
      verifiedAt: expect.any(String),
    });
    expect(res.text).not.toContain(pure);
    expect(app.logs.text()).not.toContain(pure);
  });
});

describe('PUT /profile: the avatar', () => {
  let token: string;
  let userId: number;
  let first: Untyped;

  beforeAll(async () => {
    ({
      token,
      user: { id: userId },
    } = await wechatLogin('painter', A.appId, { userInfo: { nickName: 'old', avatarUrl: 'https://example.com/old.png' } }));
  });

  test('a real PNG from wx.uploadFile lands in the Media Library with its formats, linked to the user; GET shows it', async () => {
    const before = await files().count();
    const res = await putMultipart(token, { nickName: '  画家  ' }, { data: await png(600, 400), filename: 'tmp_abc.png', contentType: 'image/png' });
    expectStatus(res, 200);
    expect(await files().count()).toBe(before + 1);
    const user = await userRow(userId);
    first = user.wechatAvatar;
    expect(first).toMatchObject({ mime: 'image/png', ext: '.png', width: 600, height: 400, provider: 'local' });
    expect(Object.keys(first.formats).sort()).toEqual(['small', 'thumbnail']);
    expect(user.wechatNickname).toBe('画家');
    for (const url of [first.url, ...Object.values(first.formats).map((f: Untyped) => f.url)]) {
      expect(fs.existsSync(path.join(app.appDir, 'public', url))).toBe(true);
      const served = await request(app.server).get(url);
      expect(served.status).toBe(200);
    }
    // The answer is the profile, as GET answers it.
    expect(res.body).toEqual((await getProfile(token)).body);
    expect(res.body).toMatchObject({
      nickName: '画家',
      nickNameSource: 'profile',
      avatarSource: 'profile',
      avatar: {
        url: first.url,
        width: 600,
        height: 400,
        mime: 'image/png',
        formats: {
          thumbnail: { url: first.formats.thumbnail.url, width: expect.any(Number), height: expect.any(Number), mime: 'image/png' },
          small: { url: first.formats.small.url, width: 500, height: expect.any(Number) },
        },
      },
    });
    // In the admin's Media Library: the upload plugin's own service finds it, with the user as related entry.
    const inLibrary = await app.strapi.plugin('upload').service('upload').findOne(first.id, ['related']);
    expect(inLibrary.related).toEqual([expect.objectContaining({ id: userId, __type: USER_UID })]);
  });

  test('a second upload replaces the first: its row and its files are gone', async () => {
    const firstFiles = [first.url, ...Object.values(first.formats).map((f: Untyped) => f.url)];
    const before = await files().count();
    const res = await putMultipart(token, {}, { data: await jpeg(300, 300), filename: 'second.jpg', contentType: 'image/jpeg' });
    expectStatus(res, 200);
    expect(await files().count()).toBe(before);
    expect(await files().findOne({ where: { id: first.id } })).toBeNull();
    for (const url of firstFiles) expect(fs.existsSync(path.join(app.appDir, 'public', url))).toBe(false);
    const user = await userRow(userId);
    expect(user.wechatAvatar).toMatchObject({ mime: 'image/jpeg', ext: '.jpg', width: 300, height: 300 });
    expect(user.wechatNickname).toBe('画家'); // not sent: kept
    expect(res.body.avatar.url).toBe(user.wechatAvatar.url);
  });

  test('POST, as wx.uploadFile sends it, is the same update', async () => {
    const previous = (await userRow(userId)).wechatAvatar;
    const res = await putMultipart(
      token,
      { nickName: '画家' },
      { data: await png(260, 260), filename: 'wxfile://tmp_1.png', contentType: 'image/png' },
      'avatar',
      'post'
    );
    expectStatus(res, 200);
    expect(await files().findOne({ where: { id: previous.id } })).toBeNull();
    const user = await userRow(userId);
    expect(user.wechatAvatar).toMatchObject({ mime: 'image/png', width: 260 });
    expect(res.body).toMatchObject({ nickName: '画家', avatar: { url: user.wechatAvatar.url } });
  });

  test.each([
    ['a text file renamed .png, declared image/png', () => Buffer.from('hello, I am not an image\n'.repeat(20)), 'evil.png', 'image/png'],
    [
      'a PNG signature followed by junk',
      () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(400, 7)]),
      'junk.png',
      'image/png',
    ],
    [
      'an SVG declared image/png',
      () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'),
      'x.png',
      'image/png',
    ],
    ['an HTML page named .jpg', () => Buffer.from('<html><body>hi</body></html>'), 'x.jpg', 'image/jpeg'],
  ])('%s → 400, nothing stored (not even the nickname sent with it)', async (_label, data, filename, contentType) => {
    const before = await snapshot(userId);
    const res = await putMultipart(token, { nickName: 'changed' }, { data: data(), filename, contentType });
    expectStrapiError(res, 400);
    expect(res.body.error.details.reason).toBe('not_an_image');
    expect(await snapshot(userId)).toEqual(before);
  });

  test('a truncated PNG → 400, nothing stored', async () => {
    const whole = await png(400, 400);
    const before = await snapshot(userId);
    const res = await putMultipart(token, {}, { data: whole.subarray(0, Math.floor(whole.length / 2)), filename: 'cut.png', contentType: 'image/png' });
    expectStrapiError(res, 400);
    expect(await snapshot(userId)).toEqual(before);
  });

  test('over profile.avatarMaxBytes (default 2 MB) → 413, nothing stored', async () => {
    const big = await noisePng(900, 900);
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    const before = await snapshot(userId);
    const res = await putMultipart(token, { nickName: 'changed' }, { data: big, filename: 'big.png', contentType: 'image/png' });
    expectStrapiError(res, 413);
    expect(res.body.error.details).toMatchObject({ field: 'avatar', maxBytes: 2 * 1024 * 1024 });
    expect(await snapshot(userId)).toEqual(before);
    // A lower limit from config applies to the next request.
    setProfileConfig({ avatarMaxBytes: 1024 });
    try {
      expectStrapiError(await putMultipart(token, {}, { data: await noisePng(40, 40), filename: 'a.png', contentType: 'image/png' }), 413);
    } finally {
      setProfileConfig({});
    }
    expect(await snapshot(userId)).toEqual(before);
  });

  test('a file under another field name, or two avatars → 400, nothing stored', async () => {
    const before = await snapshot(userId);
    const image = { data: await png(50, 50), filename: 'a.png', contentType: 'image/png' };
    expectStrapiError(await putMultipart(token, {}, image, 'file'), 400);
    const two = responses.add(
      await request(app.server)
        .put(PROFILE_PATH)
        .set('Authorization', `Bearer ${token}`)
        .attach('avatar', image.data, { filename: 'a.png', contentType: 'image/png' })
        .attach('avatar', image.data, { filename: 'b.png', contentType: 'image/png' })
    );
    expectStrapiError(two, 400);
    expect(await snapshot(userId)).toEqual(before);
  });

  test("the login's userInfo never overwrites what PUT set; it still updates wechatUserInfo", async () => {
    const before = (await getProfile(token)).body;
    const userInfo = { nickName: 'from-login', avatarUrl: 'https://example.com/new-login.png' };
    await wechatLogin('painter', A.appId, { userInfo });
    const after = await getProfile(token);
    expect(after.body).toEqual({ ...before, apps: expect.any(Array) });
    expect(after.body).toMatchObject({ nickName: '画家', nickNameSource: 'profile', avatarSource: 'profile' });
    expect((await userRow(userId)).wechatUserInfo).toEqual(userInfo);
  });

  test('uploads at once for one user: one avatar linked, every other file deleted, none left linked to nobody', async () => {
    const ownFiles = async () => (await files().findMany({ where: { name: { $startsWith: `wechat-avatar-user-${userId}.` } } })).map((f: Untyped) => f.id);
    const sizes = [320, 330, 340, 350];
    const images = await Promise.all(sizes.map((size, i) => png(size, size, { r: i * 40, g: 2, b: 3 })));
    const answers = await Promise.all(
      images.map((data, i) => putMultipart(token, { nickName: `n${sizes[i]}` }, { data, filename: `${i}.png`, contentType: 'image/png' }))
    );
    for (const res of answers) expectStatus(res, 200);
    const user = await userRow(userId);
    expect(await ownFiles()).toEqual([user.wechatAvatar.id]);
    // The nickname written with the winning avatar (the last transaction wrote both).
    expect(user.wechatNickname).toBe(`n${user.wechatAvatar.width}`);
    const linked = [user.wechatAvatar.url, ...Object.values(user.wechatAvatar.formats ?? {}).map((f: Untyped) => f.url)];
    expect(uploadedNames()).toEqual(expect.arrayContaining(linked.map((url) => path.basename(url))));
    // No file of this user's earlier avatars is left on disk.
    const onDisk = uploadedNames().filter((name) => name.includes(`wechat_avatar_user_${userId}_`));
    expect(onDisk.sort()).toEqual(linked.map((url) => path.basename(url)).sort());
  });
});

describe('PUT /profile: the nickname', () => {
  let token: string;
  let userId: number;

  beforeAll(async () => {
    ({
      token,
      user: { id: userId },
    } = await wechatLogin('namer'));
  });

  test('a JSON body changes only the nickname, trimmed (full-width spaces too); emoji count as one character', async () => {
    const res = await putJson(token, { nickName: '\u3000 Alice 🐱 \u3000' });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ nickName: 'Alice 🐱', nickNameSource: 'profile', avatar: null });
    const exactly = '🐱'.repeat(32);
    expectStatus(await putJson(token, { nickName: exactly }), 200);
    expect((await userRow(userId)).wechatNickname).toBe(exactly);
  });

  test.each([
    ['too long', { nickName: 'x'.repeat(33) }],
    ['a control character', { nickName: 'bad\u0000name' }],
    ['a bell in the middle', { nickName: 'ding\u0007dong' }],
    ['a C1 control', { nickName: 'a\u0085b' }],
    ['empty after trimming', { nickName: '   \u3000 ' }],
    ['empty', { nickName: '' }],
    ['not a string', { nickName: 42 }],
    ['null', { nickName: null }],
    ['an unknown field', { nickName: 'ok', gender: 1 }],
    ['nothing to change', {}],
    ['a malformed appId', { nickName: 'ok', appId: 'wx123' }],
    ['an array body', [1, 2]],
  ])('%s → 400, nothing changed', async (_label, body) => {
    const before = await snapshot(userId);
    const res = await putJson(token, body);
    expectStrapiError(res, 400);
    expect(await snapshot(userId)).toEqual(before);
  });

  test('characters that hide or reorder text → 400 naming the character, in Strapi format; nothing stored. Emoji sequences are kept', async () => {
    expectStatus(await putJson(token, { nickName: 'before' }), 200);
    const before = await snapshot(userId);
    for (const [nickName, character] of [
      ['admin\u202Etxt.exe', 'U+202E'],
      ['ad\u200Bmin', 'U+200B'],
      ['\u2066admin\u2069', 'U+2066'],
      ['a\u200Db', 'U+200D'],
      ['ad\uFEFFmin', 'U+FEFF'],
    ]) {
      const res = await putJson(token, { nickName });
      expectStrapiError(res, 400);
      expect({ character, error: res.body.error }).toEqual({
        character,
        error: {
          status: 400,
          name: 'ValidationError',
          message: expect.stringContaining(`(found ${character})`),
          details: { errors: [{ path: ['nickName'], message: res.body.error.message, name: 'ValidationError' }] },
        },
      });
      expect(await snapshot(userId)).toEqual(before);
    }
    for (const nickName of ['👨‍👩‍👧', '❤️ Alice', '🏳️‍🌈', '👩🏽‍💻']) {
      const res = await putJson(token, { nickName });
      expectStatus(res, 200);
      expect(res.body.nickName).toBe(nickName);
    }
  });

  test('in multipart too: a nickname of control characters → 400', async () => {
    const before = await snapshot(userId);
    expectStrapiError(await putMultipart(token, { nickName: 'a\tb' }), 400);
    expect(await snapshot(userId)).toEqual(before);
  });

  test('profile.nicknameMaxLength from config', async () => {
    setProfileConfig({ nicknameMaxLength: 5 });
    try {
      expectStrapiError(await putJson(token, { nickName: 'sixsix' }), 400);
      expectStatus(await putJson(token, { nickName: ' five5 ' }), 200);
    } finally {
      setProfileConfig({});
    }
  });
});

describe('PUT /profile: content security (profile.contentSecurity)', () => {
  let token: string;
  let userId: number;

  beforeAll(async () => {
    ({
      token,
      user: { id: userId },
    } = await wechatLogin('checked'));
    setProfileConfig({ contentSecurity: true });
  });

  afterAll(() => {
    sim.setFault(null);
    setProfileConfig({});
  });

  const profileLogLines = (from: number) =>
    app.logs.lines
      .slice(from)
      .map((l) => JSON.parse(l).message as string)
      .filter((m) => m.includes('profile'));

  test('pass: accepted; WeChat asked once with the openid of the latest login, scene 1', async () => {
    const calls = simCalls('msgSecCheck', A.appId);
    const res = await putJson(token, { nickName: '好名字' });
    expectStatus(res, 200);
    expect(simCalls('msgSecCheck', A.appId)).toBe(calls + 1);
    expect((await userRow(userId)).wechatNickname).toBe('好名字');
  });

  test('risky: 422 with a message for the user; with an avatar in the same request, nothing is stored', async () => {
    const before = await snapshot(userId);
    const res = await putMultipart(token, { nickName: 'a risky name' }, { data: await png(300, 300), filename: 'a.png', contentType: 'image/png' });
    expectStrapiError(res, 422);
    expect(res.body.error).toMatchObject({
      message: 'This nickname cannot be used: please choose another one',
      details: { field: 'nickName', reason: 'risky_content', label: 20006, messageZh: expect.any(String) },
    });
    expect(await snapshot(userId)).toEqual(before);
    expectStrapiError(await putJson(token, { nickName: '含违禁词的名字' }), 422);
    expect(await snapshot(userId)).toEqual(before);
  });

  test('review: accepted, logged with the user id and the label, without the nickname or the openid', async () => {
    const from = app.logs.lines.length;
    const res = await putJson(token, { nickName: 'please review me' });
    expectStatus(res, 200);
    expect((await userRow(userId)).wechatNickname).toBe('please review me');
    const lines = profileLogLines(from).filter((m) => m.includes('review'));
    expect(lines).toEqual([expect.stringContaining(`user #${userId}`)]);
    expect(lines[0]).toContain('21000');
    const logged = app.logs.lines.slice(from).join('\n');
    expect(logged).not.toContain('please review me');
    expect(logged).not.toContain(sim.openidFor(A.appId, 'checked'));
  });

  test('WeChat cannot check the nickname (quota 45009, busy -1, a reset, HTTP 500, an unreadable body): 503, nothing stored, the previous nickname stays', async () => {
    expectStatus(await putJson(token, { nickName: 'checked before' }), 200);
    const before = await snapshot(userId);
    const from = app.logs.lines.length;
    const faults = [
      { kind: 'errcode', errcode: 45009 },
      { kind: 'errcode', errcode: -1 },
      { kind: 'reset' },
      { kind: 'http500' },
      { kind: 'nonjson' },
    ] as const;
    try {
      for (const fault of faults) {
        // msg_sec_check alone fails: the access token and everything else work.
        sim.setFault(fault, Infinity, 'msgSecCheck');
        const calls = simCalls('msgSecCheck', A.appId);
        const nickName = `unchecked ${fault.kind}${'errcode' in fault ? fault.errcode : ''}`;
        const res =
          fault.kind === 'http500'
            ? await putMultipart(token, { nickName }, { data: await png(200, 200), filename: 'c.png', contentType: 'image/png' })
            : await putJson(token, { nickName });
        expectStrapiError(res, 503);
        expect({ fault, error: res.body.error }).toEqual({
          fault,
          error: {
            status: 503,
            name: 'ServiceUnavailableError',
            message: 'WeChat could not check the nickname right now, so it was not saved: try again later',
            details: { reason: 'content_security_unavailable', messageZh: expect.any(String) },
          },
        });
        expect(simCalls('msgSecCheck', A.appId)).toBe(calls + 1);
        expect(await snapshot(userId)).toEqual(before);
        expect((await getProfile(token)).body).toMatchObject({ nickName: 'checked before', nickNameSource: 'profile' });
      }
    } finally {
      sim.setFault(null);
    }
    const warnings = logLines(app.logs, 'warn', from)
      .map((l) => l.message)
      .filter((m) => m.includes('profile'));
    expect(warnings).toHaveLength(faults.length);
    expect(warnings[0]).toMatch(new RegExp(`could not check the nickname of user #${userId} .*errcode 45009.*refused, not stored`));
    expect(app.logs.lines.slice(from).join('\n')).not.toMatch(/unchecked (errcode|reset|http|nonjson)/);
    // WeChat answers again: the same nickname is checked and stored.
    expectStatus(await putJson(token, { nickName: 'unchecked errcode45009' }), 200);
    expect((await userRow(userId)).wechatNickname).toBe('unchecked errcode45009');
  });

  test("GET /profile shows no unchecked text: not the login's userInfo nickName and avatarUrl, only what was checked and stored, or null", async () => {
    const userInfo = { nickName: 'login-unchecked', avatarUrl: 'https://example.com/unchecked.png' };
    const { token: own } = await wechatLogin('unchecked-login', A.appId, { userInfo });
    setProfileConfig({});
    try {
      expect((await getProfile(own)).body).toMatchObject({ nickName: 'login-unchecked', nickNameSource: 'login', avatar: { url: userInfo.avatarUrl } });
    } finally {
      setProfileConfig({ contentSecurity: true });
    }
    const shown = await getProfile(own);
    expectStatus(shown, 200);
    expect(shown.body).toMatchObject({ nickName: null, nickNameSource: null, avatar: null, avatarSource: null });
    expect(JSON.stringify(shown.body)).not.toMatch(/login-unchecked|unchecked\.png/);
    const set = await putJson(own, { nickName: 'checked-name' });
    expectStatus(set, 200);
    expect(set.body).toMatchObject({ nickName: 'checked-name', nickNameSource: 'profile', avatar: null, avatarSource: null });
  });

  test('appId chooses the identity; an app the user never logged in from → 400; an avatar alone is not checked', async () => {
    const callsA = simCalls('msgSecCheck', A.appId);
    const res = await putJson(token, { nickName: 'from B', appId: B.appId });
    expectStrapiError(res, 400);
    expect(res.body.error.details).toMatchObject({ reason: 'no_identity', appId: B.appId });
    await wechatLogin('checked', B.appId);
    const callsB = simCalls('msgSecCheck', B.appId);
    expectStatus(await putJson(token, { nickName: 'from B', appId: B.appId }), 200);
    expect(simCalls('msgSecCheck', B.appId)).toBe(callsB + 1);
    expect(simCalls('msgSecCheck', A.appId)).toBe(callsA);
    const total = simCalls('msgSecCheck');
    expectStatus(await putMultipart(token, {}, { data: await png(100, 100), filename: 'a.png', contentType: 'image/png' }), 200);
    expect(simCalls('msgSecCheck')).toBe(total);
  });

  test('an account without a WeChat identity cannot set a nickname while checks are on', async () => {
    const local = responses.add(
      await request(app.server).post('/api/auth/local/register').send({ username: 'localnick', email: 'localnick@example.com', password: 'Password123!' })
    );
    expectStatus(local, 200);
    const res = await putJson(local.body.jwt, { nickName: 'hello' });
    expectStrapiError(res, 400);
    expect(res.body.error.details.reason).toBe('no_identity');
  });
});

describe("the profile fields are the plugin's alone", () => {
  test('register and PUT /api/users/:id cannot set wechatNickname or wechatAvatar', async () => {
    const anyFile = await files().findOne({ where: {} });
    expect(anyFile).toBeTruthy();
    const key = 'plugin.users-permissions.register.allowedFields';
    const before: unknown = app.strapi.config.get(key);
    app.strapi.config.set(key, ['wechatNickname', 'wechatAvatar']);
    let registered: Untyped;
    try {
      registered = responses.add(
        await request(app.server)
          .post('/api/auth/local/register')
          .send({ username: 'squatter', email: 'squatter@example.com', password: 'Password123!', wechatNickname: 'fake', wechatAvatar: anyFile.id })
      );
    } finally {
      app.strapi.config.set(key, before);
    }
    expectStatus(registered, 200);
    const userId = registered.body.user.id;
    expect(await userRow(userId)).toMatchObject({ wechatNickname: null, wechatAvatar: null });

    // users-permissions' PUT /api/users/:id, granted to Authenticated for this test.
    const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
    const permission = await app.strapi.db.query(PERMISSION_UID).create({ data: { action: 'plugin::users-permissions.user.update', role: role.id } });
    try {
      const res = responses.add(
        await request(app.server)
          .put(`/api/users/${userId}`)
          .set('Authorization', `Bearer ${registered.body.jwt}`)
          .send({ wechatNickname: 'fake', wechatAvatar: anyFile.id, username: 'squatter2' })
      );
      expect(res.status).toBeLessThan(500);
    } finally {
      await app.strapi.db.query(PERMISSION_UID).delete({ where: { id: permission.id } });
    }
    expect(await userRow(userId)).toMatchObject({ wechatNickname: null, wechatAvatar: null });
    const profile = await getProfile(registered.body.jwt);
    expect(profile.body).toMatchObject({ nickName: null, avatar: null });
  });
});

describe('the profile in the Content Manager', () => {
  test('the admin sees the nickname and the avatar; saving the user keeps them, and cannot change them', async () => {
    const { token, user } = await wechatLogin('shown');
    expectStatus(await putMultipart(token, { nickName: 'Shown' }, { data: await png(200, 200), filename: 'a.png', contentType: 'image/png' }), 200);
    const avatar = (await userRow(user.id)).wechatAvatar;
    const other = await files().findOne({ where: { id: { $ne: avatar.id } } });
    const admin = await registerFirstAdmin(app.server, 'profile-admin@example.com');
    const opened = await openEntry(app.server, admin, USER_UID, user.id);
    expectStatus(opened, 200);
    expect(opened.body).toMatchObject({ wechatNickname: 'Shown', wechatAvatar: { id: avatar.id, url: avatar.url } });
    const saved = await saveEntry(app.strapi, app.server, admin, USER_UID, user.id, {
      username: 'shown-renamed',
      wechatNickname: 'Edited',
      wechatAvatar: other?.id ?? null,
    });
    expectStatus(saved, 200);
    expect(await userRow(user.id)).toMatchObject({ wechatNickname: 'Shown', wechatAvatar: { id: avatar.id } });
    expect((await users().findOne({ where: { id: user.id } })).username).toBe('shown-renamed');
  });
});

describe("the profile fields are the plugin's alone: through the upload plugin", () => {
  test("POST /api/upload with ref/refId/field cannot link a file as someone's avatar", async () => {
    const victim = await wechatLogin('victim');
    const attacker = await wechatLogin('attacker');
    const role = await app.strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
    const permission = await app.strapi.db.query(PERMISSION_UID).create({ data: { action: 'plugin::upload.content-api.upload', role: role.id } });
    try {
      const res = responses.add(
        await request(app.server)
          .post('/api/upload')
          .set('Authorization', `Bearer ${attacker.token}`)
          .field('ref', USER_UID)
          .field('refId', String(victim.user.id))
          .field('field', 'wechatAvatar')
          .attach('files', await png(64, 64), { filename: 'x.png', contentType: 'image/png' })
      );
      expect(res.status).toBeLessThan(300);
    } finally {
      await app.strapi.db.query(PERMISSION_UID).delete({ where: { id: permission.id } });
    }
    expect((await userRow(victim.user.id)).wechatAvatar).toBeNull();
    expect((await getProfile(victim.token)).body).toMatchObject({ avatar: null, avatarSource: null });
  });
});

describe('secrets', () => {
  test('no response and no log line carries a session key, an AppSecret or an access token', () => {
    const secrets = [...sim.issuedSessionKeys, A.appSecret, B.appSecret, sim.getAccessToken(A.appId), sim.getAccessToken(B.appId)];
    expectNoSecrets(responses.text(), secrets);
    expectNoSecrets(app.logs.text(), secrets);
  });
});
