/**
 * The plugin on Strapi 5 (issue 13, server side): a plain Strapi 5.54 app (tests/strapi5/app) with
 * this repository's build linked in, on SQLite, and the WeChat simulator. The same services as on
 * Strapi 4; what differs is in the seam (server/strapi/): the content-API sanitizer on the instance,
 * `plugin::` config keys, users-permissions' jwt service in dist/, jwtManagement 'refresh', the
 * upload plugin's package and koa-body 6's file fields, Strapi 5's documentId.
 * Skipped, with a message, when the app's dependencies are not installed and CI is not set.
 */
import fs from 'fs';
import jwt from 'jsonwebtoken';
import knexFactory from 'knex';
import os from 'os';
import sharp from 'sharp';
import request from 'supertest';
import { createApiToken, registerFirstAdmin } from './helpers/admin';
import { generatedForPlugin, schemaNames } from './helpers/graphql-schema';
import { codeFor, expectNoSecrets, expectStrapiError, faultCode, login, ResponseLog } from './helpers/login';
import { databaseServerAnswers } from './helpers/instances';
import { dropDatabase, freshDatabase, type DatabaseSpec } from './helpers/database';
import { startTestApp } from './helpers/test-app';
import { files10, insertUser10, storeSettings10 } from './helpers/legacy-states';
import { startStrapi5, STRAPI5_APP, type Strapi5App, describeOnStrapi5 } from './helpers/strapi5';
import { TempFileWatch, unfinishedUpload } from './helpers/temp-files';
import { derivedKeyId } from './helpers/app-keys';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const API = '/api/strapi-wechat-miniprogram-auth';
const JWT_SECRET = 'strapi5-suite-jwt-secret';
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
const APP = { ...DEMO_APP, openPlatformId: 'op-strapi5' };

const describeV5 = describeOnStrapi5('strapi5.test.ts');

const sim = new WeChatSimulator({ apps: [APP] });
const responses = new ResponseLog();
let apiBaseUrl: string;

beforeAll(async () => {
  apiBaseUrl = await sim.start();
});

afterAll(async () => {
  await sim.stop();
});

const pluginConfig = () => ({ apiBaseUrl, appId: APP.appId, appSecret: APP.appSecret, encryption: { key: ENCRYPTION_KEY }, ratelimit: { enabled: false } });

/** Rows read straight from the app's database (the app runs in another process). */
async function rows(app: Strapi5App, sql: string, ...params: Array<string | number>): Promise<Array<Record<string, unknown>>> {
  const { client, connection } = app.database;
  const db = knexFactory({ client: client === 'sqlite' ? 'better-sqlite3' : client, connection, useNullAsDefault: true });
  try {
    const result = await db.raw<unknown>(sql, params);
    // better-sqlite3 answers the rows, pg { rows }, mysql2 [rows, fields].
    if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as Array<Record<string, unknown>>;
    return (result as { rows: Array<Record<string, unknown>> }).rows;
  } finally {
    await db.destroy();
  }
}

/** Strapi 5 on SQLite always; on PostgreSQL too when its server answers (with CI set, it must). */
const DATABASES: Array<'sqlite' | 'postgres'> = ['sqlite', ...(databaseServerAnswers('postgres') || process.env.CI ? (['postgres'] as const) : [])];

const post = async (app: Strapi5App, body: unknown) => responses.add(await login(app.url, body));

describeV5.each(DATABASES)('Strapi 5 on %s, jwtManagement legacy-support (its default)', (client) => {
  let app: Strapi5App;
  let database: DatabaseSpec | undefined;
  let adminToken = '';
  const admin = (method: 'get' | 'post', path: string, body?: object) => {
    const req = request(app.url)[method](`/strapi-wechat-miniprogram-auth${path}`).set('Authorization', `Bearer ${adminToken}`);
    return (body ? req.send(body) : req).then((res) => responses.add(res));
  };

  beforeAll(async () => {
    if (client === 'postgres') database = await freshDatabase('strapi5', STRAPI5_APP, 'postgres');
    app = await startStrapi5({ pluginConfig: pluginConfig(), jwtSecret: JWT_SECRET, database });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    if (database) await dropDatabase(database);
  }, 30_000);

  test('boots with the plugin: a Strapi 5 app, no warning of the plugin', () => {
    expect(app.strapiVersion).toMatch(/^5\./);
    const warnings = app.output
      .join('')
      .split('\n')
      .filter((line) => line.includes('[wechat-auth]') && /warn|error/.test(line));
    expect(warnings).toEqual([]);
  });

  test("a first login answers { token, user }: the user sanitized as users-permissions 5 does it, with its documentId; the token is users-permissions' own", async () => {
    const res = await post(app, { code: codeFor('alice'), userInfo: { nickName: '小明' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['token', 'user']);
    const openid = sim.openidFor(APP.appId, 'alice');
    expect(res.body.user).toMatchObject({
      id: expect.any(Number),
      documentId: expect.stringMatching(/^[a-z0-9]{24}$/),
      openid,
      username: `wechat_${openid}`,
      provider: 'wechat-miniprogram',
      confirmed: true,
      blocked: false,
      wechatUserInfo: { nickName: '小明' },
    });
    for (const field of ['password', 'resetPasswordToken', 'confirmationToken', 'wechatSessionKey', 'wechatIdentities', 'unionid', 'phoneNumber']) {
      expect(res.body.user).not.toHaveProperty(field);
    }
    // Signed as users-permissions 5's jwt.issue signs it: { id }, its secret, its default 30 days.
    const payload = jwt.verify(res.body.token, JWT_SECRET) as jwt.JwtPayload;
    expect(payload.id).toBe(res.body.user.id);
    expect(payload.exp! - payload.iat!).toBe(30 * 24 * 3600);

    const me = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: res.body.user.id, documentId: res.body.user.documentId });
  });

  test('the identity row is a complete Strapi 5 entry (documentId, publishedAt) and holds the session key sealed', async () => {
    const openid = sim.openidFor(APP.appId, 'alice');
    const [identity] = await rows(app, 'select * from wechat_identities where openid = ?', openid);
    expect(identity).toMatchObject({ app_id: APP.appId, unionid: sim.unionidFor(APP.openPlatformId, 'alice') });
    expect(identity.document_id).toMatch(/^[a-z0-9]{24}$/);
    expect(identity.published_at).not.toBeNull();
    expect(String(identity.session_key)).toMatch(/^wxenc:v1:/);
  });

  test('returning logins, on both URLs and several at once, land on the same users and store their latest session keys', async () => {
    const names = ['bob', 'carol', 'dan', 'erin'];
    const storedKeys = async (users: string[]) => {
      const found = await rows(app, `select openid, session_key from wechat_identities`);
      return users.map((user) => found.find((row) => row.openid === sim.openidFor(APP.appId, user))?.session_key);
    };
    const first = await Promise.all(names.map((name) => post(app, { code: codeFor(name) })));
    expect(first.map((r) => r.status)).toEqual(names.map(() => 200));
    const before = await storedKeys(names);
    const results = await Promise.all(
      names.map(async (name) =>
        responses.add(
          await request(app.url)
            .post(`${API}/login`)
            .send({ code: codeFor(name) })
        )
      )
    );
    expect(results.map((r) => r.status)).toEqual(names.map(() => 200));
    expect(results.map((r) => r.body.user.documentId)).toEqual(first.map((r) => r.body.user.documentId));
    // Sealed (a fresh iv each time), so only compared as stored: one per identity, each replaced by the batch.
    const after = await storedKeys(names);
    expect(new Set(after).size).toBe(names.length);
    after.forEach((key, i) => expect(key).not.toBe(before[i]));
  });

  test('encrypted data decrypts with the session key of the latest login', async () => {
    const { body } = await post(app, { code: codeFor('dora') });
    const res = await request(app.url).post(`${API}/decrypt`).set('Authorization', `Bearer ${body.token}`).send(sim.encryptData(APP.appId, 'dora'));
    responses.add(res);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(sim.weRunDataFor('dora'));
  });

  test('a phone number is bound through the shared access token', async () => {
    const { body } = await post(app, { code: codeFor('fay') });
    const res = await request(app.url)
      .post(`${API}/phone`)
      .set('Authorization', `Bearer ${body.token}`)
      .send({ code: sim.issuePhoneCode(APP.appId, 'fay') });
    responses.add(res);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phoneNumber: sim.phoneNumberFor('fay').phoneNumber });
  });

  test('the token replaced elsewhere between two bindings: the phone call is made again on the new token, answered, billed once', async () => {
    const { body } = await post(app, { code: codeFor('fay') });
    const bind = async () => {
      const res = await request(app.url)
        .post(`${API}/phone`)
        .set('Authorization', `Bearer ${body.token}`)
        .send({ code: sim.issuePhoneCode(APP.appId, 'fay') });
      return responses.add(res);
    };
    expect((await bind()).status).toBe(200);
    expect(sim.invalidateToken(APP.appId, { stableReturnsNew: true })).toBeTruthy();
    const before = sim.getStats();
    const res = await bind();
    expect({ status: res.status, phoneNumber: res.body.phoneNumber }).toEqual({ status: 200, phoneNumber: sim.phoneNumberFor('fay').phoneNumber });
    const after = sim.getStats();
    expect({ calls: after.totals.phone - before.totals.phone, billed: (after.phoneBilled[APP.appId] ?? 0) - (before.phoneBilled[APP.appId] ?? 0) }).toEqual({
      calls: 2,
      billed: 1,
    });
  });

  test('profile: a nickname as JSON, an avatar as multipart (koa-body 6 field names) into the Media Library; no temporary file left', async () => {
    const { body } = await post(app, { code: codeFor('gus') });
    const auth = `Bearer ${body.token}`;
    const named = await request(app.url).put(`${API}/profile`).set('Authorization', auth).send({ nickName: '阿古' });
    responses.add(named);
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ nickName: '阿古' });

    const image = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    const tmpBefore = new Set(fs.readdirSync(os.tmpdir()));
    const uploaded = await request(app.url)
      .post(`${API}/profile`)
      .set('Authorization', auth)
      .field('nickName', '阿古')
      .attach('avatar', image, { filename: 'tmp_avatar.png', contentType: 'image/png' });
    responses.add(uploaded);
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.avatar).toMatchObject({ mime: 'image/png', width: 320, height: 200, url: expect.stringMatching(/^\/uploads\//) });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const refused = await request(app.url)
      .post(`${API}/profile`)
      .set('Authorization', auth)
      .attach('avatar', svg, { filename: 'x.svg', contentType: 'image/svg+xml' });
    expectStrapiError(responses.add(refused), 400);
    // The body parser's parts of both requests are gone (Strapi only deletes those of a `files` field):
    // no new file in the temporary folder holds either upload (formidable 2 names them with random ids).
    const holdsAnUpload = (name: string) => {
      const file = `${os.tmpdir()}/${name}`;
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (!stat?.isFile() || (stat.size !== image.length && stat.size !== svg.length)) return false;
      const bytes = fs.readFileSync(file);
      return bytes.equals(image) || bytes.equals(svg);
    };
    const leftovers = fs.readdirSync(os.tmpdir()).filter((name) => !tmpBefore.has(name) && holdsAnUpload(name));
    expect(leftovers).toEqual([]);
    const [file] = await rows(app, 'select mime, width, height, folder_path from files');
    expect(file).toMatchObject({ mime: 'image/png', width: 320, height: 200 });
  });

  test('multipart to the plugin: an anonymous POST with files (403), a 401 with files, an oversized avatar (413 before it is sent in full) leave no temporary file', async () => {
    const watch = new TempFileWatch();
    const withFiles = (req: request.Test) =>
      req
        .attach('avatar', watch.payload(2048), { filename: 'a.png', contentType: 'image/png' })
        .attach('files', watch.payload(1024), { filename: 'b.bin', contentType: 'application/octet-stream' });
    let before = watch.snapshot();
    expectStrapiError(responses.add(await withFiles(request(app.url).post(`${API}/phone`))), 403);
    expect(await watch.takeLeftovers(before)).toEqual([]);
    before = watch.snapshot();
    expectStrapiError(responses.add(await withFiles(request(app.url).post(`${API}/profile`).set('Authorization', 'Bearer not.a.jwt'))), 401);
    expect(await watch.takeLeftovers(before)).toEqual([]);
    const { body } = await post(app, { code: codeFor('ida') });
    before = watch.snapshot();
    const oversized = await unfinishedUpload(
      `${app.url}${API}/profile`,
      { Authorization: `Bearer ${body.token}`, 'Transfer-Encoding': 'chunked' },
      3 * 1024 * 1024,
      (size) => watch.payload(size)
    );
    expect(oversized).toMatchObject({ status: 413, body: { error: { status: 413, name: 'PayloadTooLargeError' } } });
    expect(await watch.takeLeftovers(before)).toEqual([]);
  });

  test('bad input and WeChat refusals get Strapi 5 errors and change nothing', async () => {
    const users = async () => Number((await rows(app, 'select count(*) as n from up_users'))[0].n);
    const before = await users();
    expectStrapiError(await post(app, { code: '' }), 400);
    expectStrapiError(await post(app, { code: codeFor('x'), userInfo: { nickName: 'x', isAdmin: true } }), 400);
    const replayed = codeFor('hal');
    expect((await post(app, { code: replayed })).status).toBe(200);
    const replay = await post(app, { code: replayed });
    expectStrapiError(replay, 400);
    expect(replay.body.error.details).toMatchObject({ reason: 'invalid_code' });
    expect(await users()).toBe(before + 1);
  });

  test("the admin API answers a v5 admin's JWT: settings, an app added with its secret sealed, credentials tested; nothing without a JWT", async () => {
    expect((await request(app.url).get('/strapi-wechat-miniprogram-auth/settings')).status).toBe(401);
    adminToken = await registerFirstAdmin(app.url);
    const settings = await admin('get', '/settings');
    expect(settings.status).toBe(200);
    expect(settings.body.data.apps).toEqual([expect.objectContaining({ appId: APP.appId, source: 'config' })]);
    const other = { appId: 'wxfedcba9876543210', appSecret: 'fedcba9876543210fedcba9876543210' };
    sim.addApp(other);
    expect((await admin('post', '/settings/apps', { ...other, name: 'Other' })).status).toBe(200);
    const [stored] = await rows(app, "select value from strapi_core_store_settings where key = 'plugin_strapi-wechat-miniprogram-auth_settings'");
    expect(String(stored.value)).toContain('wxenc:v1:');
    expect(String(stored.value)).not.toContain(other.appSecret);
    const tested = await admin('post', '/settings/test', { appId: other.appId, appSecret: other.appSecret });
    expect(tested.status).toBe(200);
    expect(tested.body.data).toMatchObject({ ok: true, appId: other.appId });
    // The new app logs in at once on this instance (its own openid, its own user: no Open Platform).
    const viaOther = await post(app, { code: codeFor('alice'), appId: other.appId });
    expect(viaOther.status).toBe(200);
    expect(viaOther.body.user.openid).toBe(sim.openidFor(other.appId, 'alice'));
  });

  test('RBAC on Strapi 5: an admin whose role has only "Read settings" reads the page data and cannot change anything; without it, nothing', async () => {
    const auth = { Authorization: `Bearer ${adminToken}` };
    const adminWithActions = async (email: string, actions: string[]) => {
      const role = await request(app.url)
        .post('/admin/roles')
        .set(auth)
        .send({ name: `role ${email}`, description: 'test' });
      expect(role.status).toBe(201);
      const roleId = role.body.data.id as number;
      const granted = await request(app.url)
        .put(`/admin/roles/${roleId}/permissions`)
        .set(auth)
        .send({ permissions: actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] })) });
      expect(granted.status).toBe(200);
      const created = await request(app.url)
        .post('/admin/users')
        .set(auth)
        .send({ email, firstname: 'Role', lastname: 'Test', roles: [roleId] });
      expect(created.status).toBe(201);
      const registered = await request(app.url)
        .post('/admin/register')
        .send({ registrationToken: created.body.data.registrationToken, userInfo: { firstname: 'Role', lastname: 'Test', password: 'Role-Passw0rd' } });
      expect(registered.status).toBe(200);
      return registered.body.data.token as string;
    };
    const reader = await adminWithActions('reader@example.com', ['plugin::strapi-wechat-miniprogram-auth.settings.read']);
    const nobody = await adminWithActions('nobody@example.com', []);
    const as = (token: string) => ({ Authorization: `Bearer ${token}` });
    expect((await request(app.url).get('/strapi-wechat-miniprogram-auth/settings').set(as(reader))).status).toBe(200);
    const write = await request(app.url).put('/strapi-wechat-miniprogram-auth/settings/default').set(as(reader)).send({ appId: APP.appId });
    expect(write.status).toBe(403);
    expect((await request(app.url).get('/strapi-wechat-miniprogram-auth/settings').set(as(nobody))).status).toBe(403);
  });

  test('login activity on Strapi 5: logins and a WeChat refusal counted, the rows complete Strapi 5 entries (documentId), JSON and CSV', async () => {
    type Report = { logins: Array<{ new: number; returning: number }>; errors: Array<{ code: string; count: number }> };
    const totals = async () => {
      const res = await admin('get', '/activity?days=7');
      expect(res.status).toBe(200);
      const { logins, errors } = res.body.data as Report;
      return {
        new: logins.reduce((sum, row) => sum + row.new, 0),
        returning: logins.reduce((sum, row) => sum + row.returning, 0),
        '40029': errors.filter((e) => e.code === '40029').reduce((sum, e) => sum + e.count, 0),
      };
    };
    const before = await totals();
    expect((await post(app, { code: codeFor('activity5') })).status).toBe(200);
    expect((await post(app, { code: codeFor('activity5') })).status).toBe(200);
    expect((await post(app, { code: faultCode('err40029') })).status).toBe(400);
    const after = await totals();
    expect({ new: after.new - before.new, returning: after.returning - before.returning, '40029': after['40029'] - before['40029'] }).toEqual({
      new: 1,
      returning: 1,
      '40029': 1,
    });
    const stored = await rows(app, 'select document_id, kind, code, count from wechat_login_activity order by id');
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(stored.every((row) => typeof row.document_id === 'string' && row.document_id.length > 0)).toBe(true);
    const csv = await admin('get', '/activity?days=7&series=errors&format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('day,app_id,code,count');
    expect((await request(app.url).get('/strapi-wechat-miniprogram-auth/activity?days=8').set('Authorization', `Bearer ${adminToken}`)).status).toBe(400);
  });

  test('the identity data stays the plugin’s: a Content Manager save (the Document Service) and the public routes cannot set it', async () => {
    const { body } = await post(app, { code: codeFor('lex') });
    const documentId = body.user.documentId as string;
    const before = (await rows(app, 'select openid, unionid, phone_number from up_users where id = ?', body.user.id))[0];
    const saved = await request(app.url)
      .put(`/content-manager/collection-types/plugin::users-permissions.user/${documentId}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ username: 'lex-renamed', openid: 'forged-openid', unionid: 'forged-unionid', phoneNumber: '+1 555 0100' });
    expect(saved.status).toBe(200);
    const after = (await rows(app, 'select username, openid, unionid, phone_number from up_users where id = ?', body.user.id))[0];
    expect(after).toMatchObject({ username: 'lex-renamed', openid: before.openid, unionid: before.unionid, phone_number: before.phone_number });
    expect(Number((await rows(app, 'select count(*) as n from wechat_identities where openid = ?', sim.openidFor(APP.appId, 'lex')))[0].n)).toBe(1);

    const register = await request(app.url)
      .post('/api/auth/local/register')
      .send({ username: 'mallory', email: 'mallory@example.com', password: 'Password123!', openid: sim.openidFor(APP.appId, 'lex') });
    expect(register.status).toBe(400);
    const again = await post(app, { code: codeFor('lex') });
    expect(again.body.user.id).toBe(body.user.id);
  });

  test('deleting a user in the Content Manager (the Document Service) deletes its WeChat identities; the same person logging in again is a new user', async () => {
    const { body } = await post(app, { code: codeFor('gone') });
    const openid = sim.openidFor(APP.appId, 'gone');
    const identitiesOfGone = async () => rows(app, 'select id from wechat_identities where openid = ?', openid);
    expect(await identitiesOfGone()).toHaveLength(1);
    const bystander = await post(app, { code: codeFor('stays') });
    const bystanderRows = await rows(app, 'select * from wechat_identities where openid = ?', sim.openidFor(APP.appId, 'stays'));

    const deleted = await request(app.url)
      .delete(`/content-manager/collection-types/plugin::users-permissions.user/${body.user.documentId as string}`)
      .set('Authorization', `Bearer ${adminToken}`);
    expect(deleted.status).toBe(200);
    expect(await rows(app, 'select id from up_users where id = ?', body.user.id)).toEqual([]);
    expect(await identitiesOfGone()).toEqual([]);

    const again = await post(app, { code: codeFor('gone') });
    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(body.user.id);
    expect(await identitiesOfGone()).toHaveLength(1);
    expect(await rows(app, 'select * from wechat_identities where openid = ?', sim.openidFor(APP.appId, 'stays'))).toEqual(bystanderRows);
    expect((await post(app, { code: codeFor('stays') })).body.user.id).toBe(bystander.body.user.id);
  });

  test("GraphQL (Strapi 5's plugin): the login mutation answers UsersPermissionsLoginPayload, the phone mutation binds with the JWT, a refused code is the REST error", async () => {
    const graphql = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const req = request(app.url).post('/graphql');
      if (token) req.set('Authorization', `Bearer ${token}`);
      const res = responses.add(await req.send({ query, variables }));
      expect(res.status).toBe(200);
      return res.body as { data: Record<string, Record<string, unknown>> | null; errors?: Array<{ extensions: { error: Record<string, unknown> } }> };
    };
    const LOGIN = 'mutation Login($input: WechatMiniProgramLoginInput!) { wechatMiniProgramLogin(input: $input) { jwt user { id username } } }';
    const answer = await graphql(LOGIN, { input: { code: codeFor('nia') } });
    expect(answer.errors).toBeUndefined();
    const { jwt: token, user } = answer.data!.wechatMiniProgramLogin as { jwt: string; user: { username: string } };
    expect(user.username).toBe(`wechat_${sim.openidFor(APP.appId, 'nia')}`);
    const me = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${token}`);
    expect(me.body.username).toBe(user.username);

    const BIND = 'mutation Bind($code: String!) { wechatBindPhone(code: $code) { phoneNumber } }';
    const bound = await graphql(BIND, { code: sim.issuePhoneCode(APP.appId, 'nia') }, token);
    expect(bound.data!.wechatBindPhone).toEqual({ phoneNumber: sim.phoneNumberFor('nia').phoneNumber });

    const refused = await graphql(LOGIN, { input: { code: faultCode('err40029') } });
    expect(refused.data).toBeNull();
    expect(refused.errors![0].extensions.error).toMatchObject({ status: 400, details: { reason: 'invalid_code' } });
  });

  test("GraphQL: nothing generated for the plugin's content types (identities, access tokens, 0.0.5's credentials), read-only or full-access API token; the plugin's mutations are there", async () => {
    const readOnly = await createApiToken(app.url, adminToken, 'read-only');
    const fullAccess = await createApiToken(app.url, adminToken, 'full-access');
    for (const token of [readOnly, fullAccess]) {
      const names = await schemaNames(app.url, token);
      expect(generatedForPlugin(names)).toEqual({ types: [], queries: [], mutations: [] });
      expect(names.queries).toContain('usersPermissionsUsers');
      expect(names.mutations).toEqual(expect.arrayContaining(['createUsersPermissionsUser', 'wechatMiniProgramLogin', 'wechatBindPhone']));
    }
    const asToken = async (token: string, query: string) =>
      responses.add(await request(app.url).post('/graphql').set('Authorization', `Bearer ${token}`).send({ query }));
    const openid = sim.openidFor(APP.appId, 'nia');
    const identities = await asToken(readOnly, '{ strapiWechatMiniprogramAuthIdentities { documentId openid unionid } }');
    expect({ status: identities.status, message: identities.body.errors?.[0]?.message }).toEqual({
      status: 400,
      message: 'Cannot query field "strapiWechatMiniprogramAuthIdentities" on type "Query".',
    });
    expect(identities.text).not.toContain(openid);
    const tokens = await asToken(readOnly, '{ strapiWechatMiniprogramAuthAccessTokens { appId } }');
    expect(tokens.body.errors?.[0]?.message).toBe('Cannot query field "strapiWechatMiniprogramAuthAccessTokens" on type "Query".');
    const before = await rows(app, 'select id, document_id, app_id, openid from wechat_identities order by id');
    const [first] = before;
    const deleted = await asToken(
      fullAccess,
      `mutation { deleteStrapiWechatMiniprogramAuthIdentity(documentId: "${String(first.document_id)}") { documentId } }`
    );
    expect(deleted.body.errors?.[0]?.message).toBe('Cannot query field "deleteStrapiWechatMiniprogramAuthIdentity" on type "Mutation".');
    expect(await rows(app, 'select id, document_id, app_id, openid from wechat_identities order by id')).toEqual(before);
    // The plugin's own mutation, with the full-access token in the request.
    const logged = await asToken(fullAccess, `mutation { wechatMiniProgramLogin(input: { code: "${codeFor('nia')}" }) { user { username } } }`);
    expect(logged.body.data.wechatMiniProgramLogin.user.username).toBe(`wechat_${openid}`);
  });

  test('no AppSecret, session key or encryption key in any response', () => {
    expectNoSecrets(responses.text(), [APP.appSecret, ENCRYPTION_KEY, ...sim.issuedSessionKeys]);
  });
});

describeV5('Strapi 5 with no encryption.key: the secrets sealed from the first start under the key derived from its ENCRYPTION_KEY', () => {
  /** Strapi 5's admin.secrets.encryptionKey (tests/strapi5/app/config/admin.js reads ENCRYPTION_KEY). */
  const STRAPI_ENCRYPTION_KEY = 'strapi5-suite-admin-encryption-key';
  const STORED = { appId: 'wx5500000000000055', appSecret: '55000000000000000000000000000055' };
  let app: Strapi5App;

  beforeAll(async () => {
    sim.addApp(STORED);
    const { encryption: _explicitKey, ...withoutKey } = pluginConfig();
    app = await startStrapi5({ pluginConfig: withoutKey, jwtSecret: JWT_SECRET, env: { ENCRYPTION_KEY: STRAPI_ENCRYPTION_KEY } });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  test('a session key and an AppSecret saved from the admin panel are sealed under that key, and read back', async () => {
    const sealedBy = `wxenc:v1:${derivedKeyId(STRAPI_ENCRYPTION_KEY)}:`;
    expect(app.output.join('')).toMatch(/encrypted with a key derived from the app's admin\.secrets\.encryptionKey \(ENCRYPTION_KEY\)/);
    const first = await post(app, { code: codeFor('vera') });
    expect(first.status).toBe(200);
    const [identity] = await rows(app, 'select session_key from wechat_identities where openid = ?', sim.openidFor(APP.appId, 'vera'));
    expect(String(identity.session_key).startsWith(sealedBy)).toBe(true);

    const adminToken = await registerFirstAdmin(app.url);
    const added = await request(app.url).post('/strapi-wechat-miniprogram-auth/settings/apps').set('Authorization', `Bearer ${adminToken}`).send(STORED);
    expect(responses.add(added).status).toBe(200);
    const [settings] = await rows(app, "select value from strapi_core_store_settings where key = 'plugin_strapi-wechat-miniprogram-auth_settings'");
    expect(String(settings.value)).toContain(sealedBy);
    expect(String(settings.value)).not.toContain(STORED.appSecret);
    const viaStored = await post(app, { code: codeFor('vera'), appId: STORED.appId });
    expect(viaStored.status).toBe(200);
  });
});

describeV5("Strapi 5, jwtManagement 'refresh'", () => {
  let app: Strapi5App;

  beforeAll(async () => {
    app = await startStrapi5({ pluginConfig: pluginConfig(), jwtSecret: JWT_SECRET, jwtManagement: 'refresh' });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  test("the login answers as users-permissions' own login does in that mode: an access token and a refresh token that users-permissions accepts", async () => {
    const res = await request(app.url)
      .post(`${API}/login`)
      .set('User-Agent', 'wechat-devtools')
      .send({ code: codeFor('ivy'), deviceId: 'iphone-ivy' });
    responses.add(res);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['refreshToken', 'token', 'user']);
    expect(typeof res.body.token).toBe('string');
    expect(res.body.token).not.toBe(res.body.refreshToken);

    const me = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);

    const refreshed = await request(app.url).post('/api/auth/refresh').send({ refreshToken: res.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual({ jwt: expect.any(String), refreshToken: expect.any(String) });
    const meAgain = await request(app.url).get('/api/users/me').set('Authorization', `Bearer ${refreshed.body.jwt}`);
    expect(meAgain.body.id).toBe(res.body.user.id);

    // users-permissions' own register/login, for comparison: the same pair under its names (jwt, refreshToken).
    const local = await request(app.url).post('/api/auth/local/register').send({ username: 'ivylocal', email: 'ivy@example.com', password: 'Password123!' });
    expect(Object.keys(local.body).sort()).toEqual(['jwt', 'refreshToken', 'user']);
  });

  test('a returning login opens another session; a malformed deviceId is a 400', async () => {
    const first = await post(app, { code: codeFor('jon') });
    const second = await post(app, { code: codeFor('jon'), deviceId: 'ipad-jon' });
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expectStrapiError(await post(app, { code: codeFor('jon'), deviceId: 42 }), 400);
  });

  test("with x-strapi-refresh-cookie: httpOnly, the refresh token goes in users-permissions' cookie, not the body", async () => {
    const res = await request(app.url)
      .post(`${API}/login`)
      .set('x-strapi-refresh-cookie', 'httpOnly')
      .send({ code: codeFor('kim') });
    responses.add(res);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['token', 'user']);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('strapi_up_refresh='));
    expect(cookie).toMatch(/httponly/i);
    const refreshed = await request(app.url).post('/api/auth/refresh').set('Cookie', cookie!.split(';')[0]).send({});
    expect(refreshed.status).toBe(200);
  });
});

describeV5("a Strapi 4 database holding this plugin's data, opened by Strapi 5 (upgrading Strapi itself)", () => {
  const V4_JWT_SECRET = 'test-users-permissions-jwt-secret'; // tests/helpers/test-app.ts
  const SHOP = { appId: 'wx00112233445566ff', appSecret: '00112233445566778899aabbccddeeff', openPlatformId: APP.openPlatformId };
  let v5: Strapi5App | undefined;
  let copy = '';

  afterAll(async () => {
    await v5?.stop();
    if (copy) fs.rmSync(copy, { force: true });
  }, 30_000);

  test('the same accounts log in, tokens issued on Strapi 4 still work, session keys and AppSecrets sealed on Strapi 4 still open, identities get documentIds', async () => {
    sim.addApp(SHOP);
    const v4 = await startTestApp({ name: 'strapi5-upgrade', pluginConfig: pluginConfig() });
    let before: { ada: { id: number; token: string }; ben: { id: number; token: string } };
    try {
      const ada = await login(v4.server, { code: codeFor('ada') });
      const ben = await login(v4.server, { code: codeFor('ben') });
      expect([ada.status, ben.status]).toEqual([200, 200]);
      before = { ada: { id: ada.body.user.id, token: ada.body.token }, ben: { id: ben.body.user.id, token: ben.body.token } };
      // A second mini program saved through the admin API: its AppSecret is sealed in the store.
      const adminToken = await registerFirstAdmin(v4.server);
      const added = await request(v4.server)
        .post('/strapi-wechat-miniprogram-auth/settings/apps')
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ appId: SHOP.appId, appSecret: SHOP.appSecret });
      expect(added.status).toBe(200);
    } finally {
      await v4.stop();
    }
    const file = v4.strapi.db.config.connection.connection.filename as string;
    copy = `${file}.strapi5-${Date.now()}`;
    fs.copyFileSync(file, copy);

    v5 = await startStrapi5({ pluginConfig: pluginConfig(), jwtSecret: V4_JWT_SECRET, database: { client: 'sqlite', connection: { filename: copy } } });
    // Ben's token from Strapi 4, and his session key sealed there: decrypting his data needs both.
    const decrypted = await request(v5.url).post(`${API}/decrypt`).set('Authorization', `Bearer ${before.ben.token}`).send(sim.encryptData(APP.appId, 'ben'));
    expect(decrypted.status).toBe(200);
    expect(decrypted.body).toMatchObject(sim.weRunDataFor('ben'));

    const ada = await post(v5, { code: codeFor('ada') });
    expect(ada.status).toBe(200);
    expect(ada.body.user).toMatchObject({ id: before.ada.id, documentId: expect.stringMatching(/^[a-z0-9]{24}$/) });
    // The app whose AppSecret Strapi 4 sealed in the store: the same person (one unionid), the same account.
    const viaShop = await post(v5, { code: codeFor('ada'), appId: SHOP.appId });
    expect(viaShop.status).toBe(200);
    expect(viaShop.body.user.id).toBe(before.ada.id);

    const identities = await rows(v5, 'select document_id from wechat_identities');
    expect(identities.length).toBe(3);
    for (const identity of identities) expect(identity.document_id).toMatch(/^[a-z0-9]{24}$/);
    expect(Number((await rows(v5, 'select count(*) as n from up_users'))[0].n)).toBe(2);
  });
});

const describeV5OnPostgres = DATABASES.includes('postgres') ? describeV5 : describe.skip;

describeV5OnPostgres('two Strapi 5 instances on one PostgreSQL database', () => {
  const SECOND = { appId: 'wx5566778899aabbcc', appSecret: '5566778899aabbcc5566778899aabbcc', openPlatformId: APP.openPlatformId };
  let a: Strapi5App | undefined;
  let b: Strapi5App | undefined;
  let database: DatabaseSpec | undefined;

  beforeAll(async () => {
    sim.addApp(SECOND);
    database = await freshDatabase('strapi5_two', STRAPI5_APP, 'postgres');
    const config = {
      ...pluginConfig(),
      appId: undefined,
      appSecret: undefined,
      apps: [APP, SECOND].map(({ appId, appSecret }) => ({ appId, appSecret })),
      timeout: 10000,
    };
    // One after the other: the first creates the schema and runs Strapi's migrations.
    a = await startStrapi5({ pluginConfig: config, database });
    b = await startStrapi5({ pluginConfig: config, database });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (database) await dropDatabase(database);
  }, 60_000);

  test.each(['pair1', 'pair2'])(
    '20 first logins from each of two mini programs for one new person (%s), spread over both instances at once: one user, two identities, each with a documentId',
    async (name) => {
      const apps = [APP, SECOND];
      const logins = Array.from({ length: 40 }, (_, i) => ({ app: apps[i % 2], instance: Math.floor(i / 2) % 2 ? b! : a! }));
      const results = await Promise.all(
        logins.map(async ({ app, instance }) => ({ app, res: await post(instance, { code: codeFor(name), appId: app.appId }) }))
      );
      for (const { app, res } of results) {
        expect({ app: app.appId, status: res.status, openid: res.body.user?.openid }).toEqual({
          app: app.appId,
          status: 200,
          openid: sim.openidFor(app.appId, name),
        });
      }
      const ids = new Set(results.map(({ res }) => res.body.user.id as number));
      const documentIds = new Set(results.map(({ res }) => res.body.user.documentId as string));
      expect([ids.size, documentIds.size]).toEqual([1, 1]);
      const unionid = sim.unionidFor(APP.openPlatformId, name);
      expect((await rows(a!, 'select id from up_users where unionid = ?', unionid)).map((r) => Number(r.id))).toEqual([...ids]);
      const identities = await rows(a!, 'select app_id, document_id from wechat_identities where unionid = ? order by app_id', unionid);
      expect(identities.map((r) => r.app_id)).toEqual(apps.map((app) => app.appId).sort());
      for (const identity of identities) expect(identity.document_id).toMatch(/^[a-z0-9]{24}$/);
    }
  );
});

describeV5('a 1.0 database (Strapi 4) opened by Strapi 5 with this version: the upgrade in place still happens', () => {
  let v5: Strapi5App | undefined;
  let copy = '';

  afterAll(async () => {
    await v5?.stop();
    if (copy) fs.rmSync(copy, { force: true });
  }, 30_000);

  test("1.0's stored credentials are used and sealed, its accounts log in as themselves and get identities with documentIds", async () => {
    const before = await startTestApp({ name: 'strapi5-from-10', withPlugin: false, files: files10() });
    const openid = sim.openidFor(APP.appId, 'olga');
    let id: number;
    try {
      await storeSettings10(before.strapi, { appId: APP.appId, appSecret: APP.appSecret });
      id = await insertUser10(before.strapi, { openid, sessionKey: 'c2Vzc2lvbi1rZXktMTAtb2xnYQ==' });
    } finally {
      await before.stop();
    }
    const file = before.strapi.db.config.connection.connection.filename as string;
    copy = `${file}.strapi5-${Date.now()}`;
    fs.copyFileSync(file, copy);

    // No credentials in config: 1.0 kept them in the plugin store.
    v5 = await startStrapi5({
      pluginConfig: { apiBaseUrl, encryption: { key: ENCRYPTION_KEY }, ratelimit: { enabled: false } },
      database: { client: 'sqlite', connection: { filename: copy } },
    });
    const res = await post(v5, { code: codeFor('olga') });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id, openid, documentId: expect.stringMatching(/^[a-z0-9]{24}$/) });
    const [identity] = await rows(v5, 'select app_id, document_id from wechat_identities where openid = ?', openid);
    expect(identity).toMatchObject({ app_id: APP.appId, document_id: expect.stringMatching(/^[a-z0-9]{24}$/) });
    const [settings] = await rows(v5, "select value from strapi_core_store_settings where key = 'plugin_strapi-wechat-miniprogram-auth_settings'");
    expect(String(settings.value)).toContain('wxenc:v1:');
    expect(String(settings.value)).not.toContain(APP.appSecret);
    expect(Number((await rows(v5, 'select count(*) as n from up_users'))[0].n)).toBe(1);
  });
});

describeV5("Strapi 5: unknown keys in the plugin's config", () => {
  const unknownKeys = { contentSecurity: true, ratelimit: { enabled: false, maxx: 7 } };

  test('a warning names each one and the nearest known key; with strictConfig: true, Strapi 5 refuses to start', async () => {
    const app = await startStrapi5({ pluginConfig: { ...pluginConfig(), ...unknownKeys } });
    try {
      const warnings = app.output
        .join('')
        .split('\n')
        .filter((line) => line.includes('unknown key'));
      // In the order of the merged config (Strapi 5 puts the defaults' keys first).
      expect(warnings).toEqual([
        expect.stringContaining("[wechat-auth] unknown key 'ratelimit.maxx' in the plugin's config (did you mean 'ratelimit.max'?): ignored"),
        expect.stringContaining("[wechat-auth] unknown key 'contentSecurity' in the plugin's config (did you mean 'profile.contentSecurity'?): ignored"),
      ]);
      expect((await post(app, { code: codeFor('uma') })).status).toBe(200);
    } finally {
      await app.stop();
    }
    const refused = await startStrapi5({ pluginConfig: { ...pluginConfig(), ...unknownKeys, strictConfig: true } }).then(
      async (started) => {
        await started.stop();
        return null;
      },
      (e: Error) => e
    );
    expect(refused?.message).toContain(
      "Error regarding strapi-wechat-miniprogram-auth config: unknown key 'ratelimit.maxx' in the plugin's config (did you mean 'ratelimit.max'?); " +
        "unknown key 'contentSecurity' in the plugin's config (did you mean 'profile.contentSecurity'?)"
    );
  }, 120_000);
});

describeV5('Strapi 5 behind a reverse proxy (proxy: { koa: true }): the rate limits', () => {
  let app: Strapi5App;
  const MAX = 3;
  const from = (forwardedFor: string, code: string) =>
    request(app.url)
      .post(`${API}/login`)
      .set('X-Forwarded-For', forwardedFor)
      .send({ code })
      .then((res) => responses.add(res));

  beforeAll(async () => {
    const ratelimit = { enabled: true, max: MAX, interval: { min: 10 }, perUser: { profile: { max: 1, interval: { hour: 1 } } } };
    app = await startStrapi5({ pluginConfig: { ...pluginConfig(), ratelimit }, env: { STRAPI_BEHIND_PROXY: 'true' } });
  }, 120_000);
  afterAll(() => app?.stop());

  test('the client is the proxy-appended address: a forged leftmost X-Forwarded-For neither dodges the limit nor locks another client out', async () => {
    for (let i = 0; i < MAX; i++) expect((await from(`10.9.8.${i}, 203.0.113.7`, codeFor(`px${i}`))).status).toBe(200);
    const limited = await from('10.9.8.99, 203.0.113.7', codeFor('pxover'));
    expectStrapiError(limited, 429);
    expect(limited.body.error.name).toBe('RateLimitError');
    // Someone writing 203.0.113.7 themselves, from another address, still has a budget of their own.
    expect((await from('203.0.113.7, 198.51.100.4', codeFor('pxother'))).status).toBe(200);
  });

  test('a nickname update spends the per-user budget: the second answers 429 in the login format, another user is not affected', async () => {
    const jwtOf = async (user: string, address: string) => ((await from(address, codeFor(user))).body as { token: string }).token;
    const ann = await jwtOf('pxann', '198.51.100.21');
    const setName = (jwt: string, nickName: string) =>
      request(app.url).put(`${API}/profile`).set('Authorization', `Bearer ${jwt}`).set('X-Forwarded-For', '198.51.100.21').send({ nickName });
    expect((await setName(ann, 'Ann')).status).toBe(200);
    const second = responses.add(await setName(ann, 'Ann 2'));
    expectStrapiError(second, 429);
    expect(second.body.error.name).toBe('RateLimitError');
    const bob = await jwtOf('pxbob', '198.51.100.22');
    expect((await setName(bob, 'Bob')).status).toBe(200);
  });
});
