/**
 * Secrets at rest (docs/secrets-at-rest.md): the AppSecrets in the plugin store, the access tokens
 * and the session keys are sealed with AES-256-GCM under `encryption.key`, or without one under a
 * key derived from the app's APP_KEYS, so a plain app seals from its first start. A database left in
 * plaintext (by 1.0, by 0.0.5, or by an app with no key and no app keys) is sealed at the next start;
 * an explicit key wins; a rotation (of the key, or of APP_KEYS the Koa way) reseals under the new
 * key; a key that is gone (or APP_KEYS replaced) leaves values that count as missing, said once in
 * the log and on the admin page, not a crash and not data loss; only an app with neither key nor app
 * keys has a missing key in production (a warning or, as configured, an error).
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
import { appKeysFiles, derivedKeyId, TEST_APP_KEYS } from './helpers/app-keys';
import { DEMO_APP, SimulatedApp, WeChatSimulator } from '../simulator/wechat-simulator';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const PHONE_PATH = `/api/${PLUGIN}/phone`;
const key = () => randomBytes(32).toString('base64');
const SEALED = /wxenc:v1:([0-9a-f]{8}):/g;
/** The key ids of every sealed value in the dump. */
const keyIdsIn = (dump: string) => new Set([...dump.matchAll(SEALED)].map((m) => m[1]));

describe('a 1.0 database in plaintext, then the app keys, an explicit key, a rotation, a lost key', () => {
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

  const boot = async (encryption?: Record<string, unknown>, files?: Record<string, string>) => {
    await stop();
    app = await startTestApp({ name: 'secrets-at-rest', keepDatabase: true, files, pluginConfig: { apiBaseUrl, ...(encryption ? { encryption } : {}) } });
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

  test('with neither a key nor app keys: the secrets are in plaintext (the dump check sees them) and startup says so', async () => {
    await boot(undefined, appKeysFiles(null));
    ids.new1 = (await logIn('new1')).user.id;
    await logIn('old1');
    await bindPhone('new1');
    const dump = await dumpDatabase(current().strapi);
    for (const secret of [DEMO_APP.appSecret, sim.getAccessToken(DEMO_APP.appId), sim.issuedSessionKeys.at(-1) as string]) expect(dump).toContain(secret);
    expect(keyIdsIn(dump).size).toBe(0);
    expect(logLines(current().logs, 'info').some((l) => /no encryption key/.test(l.message) && /APP_KEYS/.test(l.message))).toBe(true);
  });

  test('with only the app keys (a plain app): every secret left in plaintext is sealed at the first start under the key derived from APP_KEYS', async () => {
    await boot();
    expect(logLines(current().logs, 'info').find((l) => /encrypted \d+ stored secret/.test(l.message))?.message).toMatch(/encrypted [4-9] stored secret/);
    expect(logLines(current().logs, 'info').some((l) => /derived from the app's keys/.test(l.message))).toBe(true);
    expect(logLines(current().logs, 'warn').filter((l) => /wechat-auth/.test(l.message))).toEqual([]);
    const dump = await dumpDatabase(current().strapi);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    expect([...keyIdsIn(dump)]).toEqual([derivedKeyId(TEST_APP_KEYS[0])]);
    expect((await logIn('old1')).user.id).toBe(ids.old1);
    await bindPhone('old2');
    expect(await dumpDatabase(current().strapi)).not.toContain(sim.issuedSessionKeys.at(-1) as string);
  });

  test('an explicit key wins: everything is sealed again under it, and everything keeps working', async () => {
    await boot({ key: K1 });
    const sealedLine = logLines(current().logs, 'info').find((l) => /encrypted \d+ stored secret/.test(l.message));
    expect(sealedLine?.message).toMatch(/encrypted [4-9] stored secret/); // AppSecret, access token, 2+ identity and legacy session keys
    expect(logLines(current().logs, 'info').some((l) => /derived from/.test(l.message))).toBe(false);
    let dump = await dumpDatabase(current().strapi);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    expect(keyIdsIn(dump).size).toBe(1);
    expect(keyIdsIn(dump).has(derivedKeyId(TEST_APP_KEYS[0]))).toBe(false);

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
    expect((await api.get()).body.data.apps[0].appSecret).toMatchObject({ isSet: true, last4: DEMO_APP.appSecret.slice(-4), unreadable: false });
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

  test('the explicit key removed after encryption: values stay sealed, the app says it cannot read them', async () => {
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

  test("an app with neither a key nor app keys: a warning at every start by default, and startup stops with onMissingKey: 'error'", async () => {
    process.env.NODE_ENV = 'production';
    const files = appKeysFiles(null);
    const warned = await startTestApp({ name: 'secrets-at-rest-production', files });
    const warnings = logLines(warned.logs, 'warn').map((l) => l.message);
    await warned.stop();
    expect(warnings.some((m) => /no encryption key/.test(m) && /WECHAT_AUTH_ENCRYPTION_KEY/.test(m) && /APP_KEYS/.test(m))).toBe(true);

    await expect(startTestApp({ name: 'secrets-at-rest-production', files, pluginConfig: { encryption: { onMissingKey: 'error' } } })).rejects.toThrow(
      /no encryption key/
    );
  });

  test("a key derived from APP_KEYS is not a missing key: no warning, and onMissingKey: 'error' starts", async () => {
    process.env.NODE_ENV = 'production';
    const started = await startTestApp({ name: 'secrets-at-rest-production', pluginConfig: { encryption: { onMissingKey: 'error' } } });
    const warnings = logLines(started.logs, 'warn').map((l) => l.message);
    const infos = logLines(started.logs, 'info').map((l) => l.message);
    await started.stop();
    expect(warnings.filter((m) => /wechat-auth/.test(m))).toEqual([]);
    expect(infos.some((m) => /derived from the app's keys/.test(m))).toBe(true);
  });
});

describe('a plain app (only APP_KEYS): sealed from its first start; APP_KEYS rotated, then replaced', () => {
  /** Its AppSecret in config: logins, session keys and the access token go on whatever happens to the store. */
  const CONFIG_APP = DEMO_APP;
  /** Saved through the admin panel: its AppSecret is in the store. */
  const STORED_APP: SimulatedApp = { appId: 'wx5000000000000005', appSecret: '50000000000000000000000000000005' };
  const sim = new WeChatSimulator({ apps: [CONFIG_APP, STORED_APP] });
  const responses = new ResponseLog();
  const allLogs: string[] = [];
  const ROTATED = ['rotatedKeyC', ...TEST_APP_KEYS];
  const REPLACED = ['replacedKeyD'];
  let apiBaseUrl: string;
  let app: TestApp | undefined;
  let admin = '';
  const ids: Record<string, number> = {};
  const secrets = () => [CONFIG_APP.appSecret, STORED_APP.appSecret, ...sim.issuedSessionKeys, sim.getAccessToken(CONFIG_APP.appId)];
  const current = () => app as TestApp;
  const api = () => settingsApi(current().server, admin);

  async function boot(appKeys: string[]) {
    if (app) {
      allLogs.push(...app.logs.lines);
      await app.stop();
    }
    app = await startTestApp({
      name: 'secrets-at-rest-app-keys',
      keepDatabase: true,
      files: appKeysFiles(appKeys),
      pluginConfig: { apiBaseUrl, apps: [{ appId: CONFIG_APP.appId, appSecret: CONFIG_APP.appSecret }] },
    });
  }

  async function logIn(user: string, appId?: string) {
    const res = responses.add(await login(current().server, { code: codeFor(user), ...(appId ? { appId } : {}) }));
    expectStatus(res, 200);
    return res.body as { token: string; user: { id: number } };
  }

  async function bindPhone(user: string) {
    const { token } = await logIn(user);
    const res = responses.add(
      await request(current().server)
        .post(PHONE_PATH)
        .set('Authorization', `Bearer ${token}`)
        .send({ code: sim.issuePhoneCode(CONFIG_APP.appId, user) })
    );
    expectStatus(res, 200);
  }

  const storedAppView = async () => {
    const res = responses.add(await api().get());
    expectStatus(res, 200);
    return (res.body.data.apps as Array<{ appId: string; appSecret: Record<string, unknown> }>).find((a) => a.appId === STORED_APP.appId);
  };

  beforeAll(async () => {
    apiBaseUrl = await sim.start();
    app = await startTestApp({
      name: 'secrets-at-rest-app-keys',
      pluginConfig: { apiBaseUrl, apps: [{ appId: CONFIG_APP.appId, appSecret: CONFIG_APP.appSecret }] },
    });
    admin = await registerFirstAdmin(current().server);
  });

  afterAll(async () => {
    if (app) {
      allLogs.push(...app.logs.lines);
      await app.stop();
    }
    await sim.stop();
    expectNoSecrets(responses.text(), secrets());
    expectNoSecrets(allLogs.join('\n'), [...secrets(), ...TEST_APP_KEYS, ...ROTATED, ...REPLACED]);
  });

  test('from the first start, no AppSecret, access token or session key is readable in a dump', async () => {
    expectStatus(await api().addApp({ appId: STORED_APP.appId, appSecret: STORED_APP.appSecret, name: 'Stored' }), 200);
    ids.ann = (await logIn('ann')).user.id;
    ids.ann2 = (await logIn('ann', STORED_APP.appId)).user.id;
    await bindPhone('ann');
    expect(sim.getStats().stableToken).toBe(1);
    const dump = await dumpDatabase(current().strapi);
    expect(dump).toContain(STORED_APP.appId);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    expect([...keyIdsIn(dump)]).toEqual([derivedKeyId(TEST_APP_KEYS[0])]);
    expect(await storedAppView()).toMatchObject({ appSecret: { isSet: true, last4: STORED_APP.appSecret.slice(-4), unreadable: false } });
  });

  test('APP_KEYS rotated the Koa way (a new key in front): everything still reads and is sealed again under the new key', async () => {
    await boot(ROTATED);
    expect(logLines(current().logs, 'error')).toEqual([]);
    expect(logLines(current().logs, 'info').some((l) => /encrypted [3-9] stored secret/.test(l.message))).toBe(true);
    const dump = await dumpDatabase(current().strapi);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    expect([...keyIdsIn(dump)]).toEqual([derivedKeyId(ROTATED[0])]);
    const tokenCalls = sim.getStats().stableToken;
    await bindPhone('ann');
    expect(sim.getStats().stableToken).toBe(tokenCalls);
    expect((await logIn('ann', STORED_APP.appId)).user.id).toBe(ids.ann2);
    expect(await storedAppView()).toMatchObject({ appSecret: { isSet: true, unreadable: false } });
  });

  test('APP_KEYS replaced: what was sealed counts as missing, said once in the log and on the admin page; logins go on and store new session keys', async () => {
    await boot(REPLACED);
    const errors = () => logLines(current().logs, 'error').map((l) => l.message);
    // At startup, once: the session keys and the access token that cannot be read (counts only).
    const startup = errors().filter((m) => /are encrypted with a key that is not configured/.test(m));
    expect(startup).toHaveLength(1);
    expect(startup[0]).toMatch(/session key\(s\)/);
    expect(startup[0]).toMatch(/access token\(s\)/);

    // The config app logs in as before: a new session key, sealed under the new key.
    expect((await logIn('ann')).user.id).toBe(ids.ann);
    const tokenCalls = sim.getStats().stableToken;
    await bindPhone('ann');
    expect(sim.getStats().stableToken).toBe(tokenCalls + 1); // the unreadable token counted as none: fetched again

    // The stored AppSecret counts as missing: logins of that app say so, the admin page says to enter it again.
    const refused = responses.add(await login(current().server, { code: codeFor('ann'), appId: STORED_APP.appId }));
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toMatch(/AppSecret missing/);
    expect(await storedAppView()).toMatchObject({ appSecret: { isSet: false, last4: null, unreadable: true } });
    await storedAppView();
    expect(errors().filter((m) => m.includes(`AppSecret stored for ${STORED_APP.appId} cannot be decrypted`))).toHaveLength(1);

    expectStatus(await api().updateApp(STORED_APP.appId, { appSecret: STORED_APP.appSecret }), 200);
    expect(await storedAppView()).toMatchObject({ appSecret: { isSet: true, last4: STORED_APP.appSecret.slice(-4), unreadable: false } });
    expect((await logIn('ann', STORED_APP.appId)).user.id).toBe(ids.ann2);

    const dump = await dumpDatabase(current().strapi);
    for (const secret of secrets()) expect(dump).not.toContain(secret);
    // Each unreadable value was replaced by a new one (a login, a token fetch, the AppSecret saved again).
    expect([...keyIdsIn(dump)]).toEqual([derivedKeyId(REPLACED[0])]);
  });
});
