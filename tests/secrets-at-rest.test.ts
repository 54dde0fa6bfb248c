/**
 * Secrets at rest (README "Secrets at rest"): the AppSecrets in the plugin store, the access tokens
 * and the session keys are sealed with AES-256-GCM under `encryption.key`. A database left in
 * plaintext (by 1.0, by 0.0.5, or by this version without a key) is sealed at the first start with
 * a key; a rotation reseals under the new key; a key that is gone is an error in the log, not a
 * crash and not data loss; a missing key in production is a warning or, as configured, an error.
 * Every check reads the whole database the way a dump would.
 */
import { randomBytes } from 'crypto';
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { registerFirstAdmin } from './helpers/admin';
import { codeFor, expectNoSecrets, login, ResponseLog } from './helpers/login';
import { expectStatus, logLines, settingsApi } from './helpers/apps';
import { dumpDatabase } from './helpers/database-dump';
import { files005, files005UserExtension, files10, insertCredentials005, insertUser005, insertUser10, storeSettings10 } from './helpers/legacy-states';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const PHONE_PATH = `/api/${PLUGIN}/phone`;
const key = () => randomBytes(32).toString('base64');
const SEALED = /wxenc:v1:([0-9a-f]{8}):/g;
/** The key ids of every sealed value in the dump. */
const keyIdsIn = (dump: string) => new Set([...dump.matchAll(SEALED)].map((m) => m[1]));

describe('a 1.0 database in plaintext, then a key, a rotation, a lost key', () => {
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  const responses = new ResponseLog();
  const allLogs: string[] = [];
  const K1 = key();
  const K2 = randomBytes(32).toString('hex');
  const K3 = key();
  let apiBaseUrl: string;
  let app: TestApp | undefined;
  const ids: Record<string, number> = {};
  /** Every secret of this database: none may be readable in a dump once a key is configured. */
  const secrets = () => [DEMO_APP.appSecret, ...sim.issuedSessionKeys, sim.getAccessToken(DEMO_APP.appId)];

  const boot = async (encryption?: Record<string, unknown>) => {
    await stop();
    app = await startTestApp({ name: 'secrets-at-rest', keepDatabase: true, pluginConfig: { apiBaseUrl, ...(encryption ? { encryption } : {}) } });
    return app;
  };
  async function stop() {
    if (!app) return;
    allLogs.push(...app.logs.lines);
    await app.stop();
    app = undefined;
  }
  const current = () => app as TestApp;

  async function logIn(user: string) {
    const res = responses.add(await login(current().server, { code: codeFor(user) }));
    expectStatus(res, 200);
    return res.body as { jwt?: string; token: string; user: { id: number } };
  }

  async function bindPhone(user: string) {
    const { token } = await logIn(user);
    const res = responses.add(
      await request(current().server)
        .post(PHONE_PATH)
        .set('Authorization', `Bearer ${token}`)
        .send({ code: sim.issuePhoneCode(DEMO_APP.appId, user) })
    );
    expectStatus(res, 200);
  }

  beforeAll(async () => {
    apiBaseUrl = await sim.start();
    // 1.0 left the AppSecret in the store and a session key on each user, in plaintext.
    const before = await startTestApp({ name: 'secrets-at-rest', withPlugin: false, files: files10() });
    await storeSettings10(before.strapi, DEMO_APP);
    for (const name of ['old1', 'old2']) {
      ids[name] = await insertUser10(before.strapi, { openid: sim.openidFor(DEMO_APP.appId, name), sessionKey: randomBytes(16).toString('base64') });
    }
    const legacyKeys = (await before.strapi.db.query('plugin::users-permissions.user').findMany({ select: ['wechatSessionKey'] })).map(
      (u: { wechatSessionKey: string }) => u.wechatSessionKey
    );
    sim.issuedSessionKeys.push(...legacyKeys);
    await before.stop();
  });

  afterAll(async () => {
    await stop();
    await sim.stop();
    // Responses never carried a secret, whatever the key; logs neither, nor the keys themselves.
    expectNoSecrets(responses.text(), secrets());
    expectNoSecrets(allLogs.join('\n'), [...secrets(), K1, K2, K3]);
  });

  test('without a key: the secrets are in plaintext (the dump check sees them) and startup says so', async () => {
    await boot();
    ids.new1 = (await logIn('new1')).user.id;
    await logIn('old1');
    await bindPhone('new1');
    const dump = await dumpDatabase(current().strapi);
    for (const secret of [DEMO_APP.appSecret, sim.getAccessToken(DEMO_APP.appId), sim.issuedSessionKeys.at(-1) as string]) expect(dump).toContain(secret);
    expect(keyIdsIn(dump).size).toBe(0);
    expect(logLines(current().logs, 'info').some((l) => /no encryption key configured/.test(l.message))).toBe(true);
  });

  test('with a key: every secret is sealed at the first start, and everything keeps working', async () => {
    await boot({ key: K1 });
    const sealedLine = logLines(current().logs, 'info').find((l) => /encrypted \d+ stored secret/.test(l.message));
    expect(sealedLine?.message).toMatch(/encrypted [4-9] stored secret/); // AppSecret, access token, 2+ identity and legacy session keys
    let dump = await dumpDatabase(current().strapi);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    expect(keyIdsIn(dump).size).toBe(1);

    // The same accounts, a new session key sealed as it is written, the stored access token still used.
    expect((await logIn('old1')).user.id).toBe(ids.old1);
    expect((await logIn('old2')).user.id).toBe(ids.old2);
    expect((await logIn('new1')).user.id).toBe(ids.new1);
    const tokenCalls = sim.getStats().stableToken;
    await bindPhone('old2');
    expect(sim.getStats().stableToken).toBe(tokenCalls);
    dump = await dumpDatabase(current().strapi);
    for (const secret of secrets()) expect(dump).not.toContain(secret);

    // The admin page reads the sealed AppSecret (its last 4 characters), and a new one is sealed when saved.
    const admin = await registerFirstAdmin(current().server);
    const api = settingsApi(current().server, admin);
    expect((await api.get()).body.data.apps[0].appSecret).toMatchObject({ isSet: true, last4: DEMO_APP.appSecret.slice(-4) });
    const rotatedSecret = 'fedcba9876543210fedcba9876543210';
    expectStatus(await api.updateApp(DEMO_APP.appId, { appSecret: rotatedSecret }), 200);
    expect(await dumpDatabase(current().strapi)).not.toContain(rotatedSecret);
    expectStatus(await api.updateApp(DEMO_APP.appId, { appSecret: DEMO_APP.appSecret }), 200);
    expect(await dumpDatabase(current().strapi)).not.toContain(DEMO_APP.appSecret);
  });

  test('a second start with the same key rewrites nothing', async () => {
    const before = await dumpDatabase(current().strapi);
    await boot({ key: K1 });
    expect(logLines(current().logs, 'info').some((l) => /encrypted \d+ stored secret/.test(l.message))).toBe(false);
    const after = await dumpDatabase(current().strapi);
    expect([...after.matchAll(SEALED)].length).toBe([...before.matchAll(SEALED)].length);
  });

  test('rotation: the new key with the old one in previousKeys reseals everything under the new key', async () => {
    const idsBefore = keyIdsIn(await dumpDatabase(current().strapi));
    await boot({ key: K2, previousKeys: [K1] });
    const dump = await dumpDatabase(current().strapi);
    const idsAfter = keyIdsIn(dump);
    expect(idsAfter.size).toBe(1);
    expect([...idsAfter][0]).not.toBe([...idsBefore][0]);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    expect((await logIn('old1')).user.id).toBe(ids.old1);
    await bindPhone('old1');
  });

  test('a key that is gone: an error in the log, a clear 503 for the app, nothing lost; the right key brings it back', async () => {
    await boot({ key: K3 });
    const errors = logLines(current().logs, 'error').map((l) => l.message);
    expect(errors.some((m) => /cannot be read|cannot be decrypted/.test(m))).toBe(true);
    const res = responses.add(await login(current().server, { code: codeFor('old1') }));
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/AppSecret/);
    // The sealed values are still there, under K2.
    expect(keyIdsIn(await dumpDatabase(current().strapi)).size).toBe(1);

    await boot({ key: K2 });
    expect((await logIn('old1')).user.id).toBe(ids.old1);
    await bindPhone('new1');
  });

  test('no key after encryption: values stay sealed, the app says it cannot read them', async () => {
    await boot();
    expect(logLines(current().logs, 'error').some((l) => /encrypted with a key that is not configured/.test(l.message))).toBe(true);
    expect(keyIdsIn(await dumpDatabase(current().strapi)).size).toBe(1);
    await boot({ key: K2 });
  });
});

describe('0.0.5 left its AppSecret in its own table', () => {
  const sim = new WeChatSimulator({ apps: [DEMO_APP] });
  let app: TestApp | undefined;

  beforeAll(async () => {
    const apiBaseUrl = await sim.start();
    const before = await startTestApp({ name: 'secrets-at-rest-005', withPlugin: false, files: files005() });
    await insertCredentials005(before.strapi, DEMO_APP);
    await insertUser005(before.strapi, { openid: sim.openidFor(DEMO_APP.appId, 'legacy') });
    await before.stop();
    app = await startTestApp({
      name: 'secrets-at-rest-005',
      keepDatabase: true,
      files: files005UserExtension(),
      pluginConfig: { apiBaseUrl, encryption: { key: key() } },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await sim.stop();
  });

  test('imported and sealed in the store, sealed in place in the old table; logins work', async () => {
    const res = await login((app as TestApp).server, { code: codeFor('legacy') });
    expectStatus(res, 200);
    const dump = await dumpDatabase((app as TestApp).strapi);
    expect(dump).not.toContain(DEMO_APP.appSecret);
    expect(dump).toContain(`${PLUGIN}_wx-credential`);
    expect(keyIdsIn(dump).size).toBe(1);
  });
});

describe('a missing key in production', () => {
  const previous = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = previous;
  });

  test("is a warning at every start by default, and stops startup with onMissingKey: 'error'", async () => {
    process.env.NODE_ENV = 'production';
    const warned = await startTestApp({ name: 'secrets-at-rest-production' });
    const warnings = logLines(warned.logs, 'warn').map((l) => l.message);
    await warned.stop();
    expect(warnings.some((m) => /no encryption key configured/.test(m) && /WECHAT_AUTH_ENCRYPTION_KEY/.test(m))).toBe(true);

    await expect(startTestApp({ name: 'secrets-at-rest-production', pluginConfig: { encryption: { onMissingKey: 'error' } } })).rejects.toThrow(
      /no encryption key configured/
    );
  });
});
