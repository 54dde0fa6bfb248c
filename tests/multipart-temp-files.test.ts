/**
 * Multipart bodies sent to the plugin's URLs: Strapi's body middleware (koa-body, formidable) writes
 * their parts to the temporary folder before any route sees them. Whatever the route answers (a 401
 * or 403 before the controller, a validation error, an oversized upload), the folder is as it was
 * once the answer arrives; an upload larger than profile.avatarMaxBytes (+ the multipart allowance) is
 * refused with 413 before it has been sent in full, with a Content-Length or chunked.
 *
 * A leftover is found by its content: every file sent here starts with random bytes of its own, and
 * os.tmpdir() (where formidable puts its parts; other programs share it) is searched for new files
 * starting with them.
 */
import crypto from 'crypto';
import request from 'supertest';
import sharp from 'sharp';
import { startTestApp, TestApp } from './helpers/test-app';
import { registerFirstAdmin } from './helpers/admin';
import { TempFileWatch, unfinishedUpload } from './helpers/temp-files';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const AVATAR_MAX_BYTES = 100 * 1024;
/** server/middlewares/multipart-guard.ts's MULTIPART_ALLOWANCE_BYTES. */
const ALLOWANCE = 64 * 1024;

const sim = new WeChatSimulator();
let app: TestApp;
let userToken: string;

beforeAll(async () => {
  const apiBaseUrl = await sim.start();
  app = await startTestApp({
    name: 'multipart-temp-files',
    pluginConfig: { apiBaseUrl, apps: [{ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }], profile: { avatarMaxBytes: AVATAR_MAX_BYTES } },
  });
  const res = await request(app.server)
    .post(`/${PLUGIN}/login`)
    .send({ code: sim.issueCode(DEMO_APP.appId, 'mona') });
  expect(res.status).toBe(200);
  userToken = res.body.token;
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

const watch = new TempFileWatch();
const payload = (size: number) => watch.payload(size);
const listTmp = () => watch.snapshot();
const expectTmpUnchanged = async (before: Set<string>) => expect(await watch.takeLeftovers(before)).toEqual([]);

/** A multipart request with a file under `avatar` and one under `files` (the only field Strapi cleans, and only on success). */
function multipart(method: 'post' | 'put', url: string, authorization?: string) {
  const req = request(app.server)[method](url);
  if (authorization) req.set('Authorization', authorization);
  return req
    .field('code', 'not-a-code')
    .attach('avatar', payload(2048), { filename: 'a.png', contentType: 'image/png' })
    .attach('files', payload(1024), { filename: 'b.bin', contentType: 'application/octet-stream' });
}

test('the check sees a leftover: outside the plugin, Strapi leaves a part of a field other than `files` in os.tmpdir()', async () => {
  const before = listTmp();
  const res = await request(app.server).post('/api/not-the-plugin').attach('other', payload(1024), { filename: 'x.bin' });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(await watch.takeLeftovers(before)).toHaveLength(1);
});

describe('every route of the plugin leaves no temporary file, whatever it answers', () => {
  const anonymous: Array<[string, 'post' | 'put', string]> = [
    ['login (admin-type URL)', 'post', `/${PLUGIN}/login`],
    ['login (content API URL)', 'post', `/api/${PLUGIN}/login`],
    ['login (upper case URL)', 'post', `/API/${PLUGIN.toUpperCase()}/LOGIN`],
    ['phone', 'post', `/api/${PLUGIN}/phone`],
    ['decrypt', 'post', `/api/${PLUGIN}/decrypt`],
    ['profile (POST)', 'post', `/api/${PLUGIN}/profile`],
    ['profile (PUT)', 'put', `/api/${PLUGIN}/profile`],
    ['admin: add an app', 'post', `/${PLUGIN}/settings/apps`],
    ['admin: update an app', 'put', `/${PLUGIN}/settings/apps/${DEMO_APP.appId}`],
    ['admin: default app', 'put', `/${PLUGIN}/settings/default`],
    ['admin: test credentials', 'post', `/${PLUGIN}/settings/test`],
    ['an unknown URL of the plugin', 'post', `/api/${PLUGIN}/nothing-here`],
  ];

  test.each(anonymous)('anonymous multipart to %s: refused, nothing left', async (_name, method, url) => {
    const before = listTmp();
    const res = await multipart(method, url);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectTmpUnchanged(before);
  });

  test('a 401 (a JWT that is not one) with files: nothing left', async () => {
    const before = listTmp();
    const res = await multipart('post', `/api/${PLUGIN}/profile`, 'Bearer not.a.jwt');
    expect(res.status).toBe(401);
    await expectTmpUnchanged(before);
  });

  test('an admin route with a JWT that is not an admin one: 401, nothing left', async () => {
    const before = listTmp();
    const res = await multipart('post', `/${PLUGIN}/settings/test`, `Bearer ${userToken}`);
    expect(res.status).toBe(401);
    await expectTmpUnchanged(before);
  });

  test("a signed-in user's validation errors (login, phone, decrypt, profile): 400, nothing left", async () => {
    for (const url of [`/${PLUGIN}/login`, `/api/${PLUGIN}/phone`, `/api/${PLUGIN}/decrypt`, `/api/${PLUGIN}/profile`]) {
      const before = listTmp();
      const res = await multipart('post', url, `Bearer ${userToken}`);
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      await expectTmpUnchanged(before);
    }
  });

  test('an admin with files on the settings routes: nothing left', async () => {
    const adminToken = await registerFirstAdmin(app.server, 'multipart-admin@example.com');
    const before = listTmp();
    const res = await multipart('post', `/${PLUGIN}/settings/test`, `Bearer ${adminToken}`);
    expect(res.status).toBe(400);
    await expectTmpUnchanged(before);
  });
});

describe('the avatar', () => {
  const png = async (width: number) =>
    sharp(crypto.randomBytes(width * width * 3), { raw: { width, height: width, channels: 3 } })
      .png()
      .toBuffer();

  test('(control) an avatar within profile.avatarMaxBytes is stored, and its part deleted', async () => {
    const image = await png(64);
    expect(image.length).toBeLessThan(AVATAR_MAX_BYTES);
    const before = listTmp();
    const res = await request(app.server)
      .post(`/api/${PLUGIN}/profile`)
      .set('Authorization', `Bearer ${userToken}`)
      .attach('avatar', image, { filename: 'a.png', contentType: 'image/png' });
    expect(res.status).toBe(200);
    expect(res.body.avatar).toMatchObject({ mime: 'image/png', width: 64 });
    await expectTmpUnchanged(before);
  });

  test('(control) an avatar a little over profile.avatarMaxBytes (within the allowance): 413 after reading it, nothing left', async () => {
    const before = listTmp();
    const res = await request(app.server)
      .post(`/api/${PLUGIN}/profile`)
      .set('Authorization', `Bearer ${userToken}`)
      .attach('avatar', payload(AVATAR_MAX_BYTES + 1024), { filename: 'a.png', contentType: 'image/png' });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ status: 413, name: 'PayloadTooLargeError' });
    await expectTmpUnchanged(before);
  });

  const upload = (headers: Record<string, string | number>, sent: number) =>
    unfinishedUpload(`${app.server}/api/${PLUGIN}/profile`, { Authorization: `Bearer ${userToken}`, ...headers }, sent, payload);

  test('an oversized upload with its Content-Length: 413 at once, before the body is read', async () => {
    const before = listTmp();
    const res = await upload({ 'Content-Length': 50 * 1024 * 1024 }, 256 * 1024);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ status: 413, name: 'PayloadTooLargeError', details: { field: 'avatar', maxBytes: AVATAR_MAX_BYTES } });
    await expectTmpUnchanged(before);
  });

  test('an oversized chunked upload (no Content-Length): 413 once the limit is read, its partial part deleted', async () => {
    const before = listTmp();
    const res = await upload({ 'Transfer-Encoding': 'chunked' }, AVATAR_MAX_BYTES + ALLOWANCE + 128 * 1024);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ status: 413, name: 'PayloadTooLargeError', details: { field: 'avatar', maxBytes: AVATAR_MAX_BYTES } });
    await expectTmpUnchanged(before);
    // The refused connection is closed; the app answers the next request.
    expect((await request(app.server).get(`/api/${PLUGIN}/profile`).set('Authorization', `Bearer ${userToken}`)).status).toBe(200);
  });
});
