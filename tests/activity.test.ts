/**
 * Login activity on a real Strapi 4.26 with the WeChat simulator (SQLite, or DATABASE_CLIENT=postgres|mysql):
 * logins move the new and returning counts of their app and day, failing codes are counted by errcode, the admin
 * route answers JSON and CSV, refuses bad parameters (400) and admins without "Read login activity" (403), each key
 * is one row that flushes add to, the counts since the last flush are stored when Strapi stops, and with
 * `activity.enabled: false` nothing is counted.
 */
import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';
import { adminLogin, adminWithRole, createRole, registerFirstAdmin, ROLE, roleId } from './helpers/admin';
import { expectStrapiError, faultCode, login } from './helpers/login';
import { WeChatSimulator, type SimulatedApp } from '../simulator/wechat-simulator';
import { dayFormatter } from '../server/activity/counter';

const PLUGIN = 'strapi-wechat-miniprogram-auth';
const ACTIVITY = `/${PLUGIN}/activity`;
const READ_ACTIVITY = `plugin::${PLUGIN}.activity.read`;
const READ_SETTINGS = `plugin::${PLUGIN}.settings.read`;
const TABLE = 'wechat_login_activity';

const A: SimulatedApp = { appId: 'wx0a0a0a0a0a0a0a0a', appSecret: '0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a' };
const B: SimulatedApp = { appId: 'wx0b0b0b0b0b0b0b0b', appSecret: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b' };

const sim = new WeChatSimulator({ apps: [A, B] });
let app: TestApp;
let apiBaseUrl: string;
const tokens = {} as Record<'superAdmin' | 'activityReader' | 'settingsReader' | 'editor', string>;

const pluginConfig = (enabled: boolean) => ({
  apiBaseUrl,
  timeout: 1000,
  apps: [
    { appId: A.appId, appSecret: A.appSecret, name: 'Shop' },
    { appId: B.appId, appSecret: B.appSecret },
  ],
  // Long: the flushes these tests see are the ones a read makes first, and the one on stop.
  activity: { enabled, flushIntervalMs: 600000 },
});

/** Today in Asia/Shanghai (the default timezone): the day every count of this test lands on. */
const today = () => dayFormatter('Asia/Shanghai')(Date.now());

const signIn = (appId: string, user: string) => login(app.server, { appId, code: sim.issueCode(appId, user) });
const failWith = (appId: string, fault: string) => login(app.server, { appId, code: faultCode(fault) });

function activity(query: Record<string, string | string[]> = {}, token = tokens.superAdmin) {
  const req = request(app.server).get(ACTIVITY).query(query);
  return token ? req.set('Authorization', `Bearer ${token}`) : req;
}

interface Report {
  timezone: string;
  days: string[];
  apps: Array<{ appId: string; name: string | null }>;
  logins?: Array<{ day: string; appId: string; new: number; returning: number }>;
  errors?: Array<{ day: string; appId: string; code: string; count: number }>;
}

async function report(query: Record<string, string> = {}): Promise<Report> {
  const res = await activity(query);
  expect({ status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ status: 200, body: undefined });
  return res.body.data as Report;
}

const loginsToday = (r: Report, appId: string) => r.logins!.find((row) => row.day === today() && row.appId === appId);
const errorsToday = (r: Report, appId: string) =>
  Object.fromEntries(r.errors!.filter((e) => e.day === today() && e.appId === appId).map((e) => [e.code, e.count]));
const storedRows = () => app.strapi.db.connection(TABLE).select('app_id', 'day', 'kind', 'code', 'count').orderBy(['app_id', 'kind', 'code']);

beforeAll(async () => {
  apiBaseUrl = await sim.start();
  app = await startTestApp({ name: 'activity-api', pluginConfig: pluginConfig(true) });
  const { strapi, server } = app;
  tokens.superAdmin = await registerFirstAdmin(server);
  tokens.activityReader = await adminWithRole(strapi, server, 'activity@example.com', await createRole(strapi, 'Activity reader', [READ_ACTIVITY]));
  tokens.settingsReader = await adminWithRole(strapi, server, 'settings@example.com', await createRole(strapi, 'Settings reader', [READ_SETTINGS]));
  tokens.editor = await adminWithRole(strapi, server, 'editor@example.com', await roleId(strapi, ROLE.editor));
});

afterAll(async () => {
  await app?.stop();
  await sim.stop();
});

describe('counting', () => {
  test('before any login: every day of the period at zero for each listed app, no error', async () => {
    const r = await report({ days: '7' });
    expect(r.timezone).toBe('Asia/Shanghai');
    expect(r.days).toHaveLength(7);
    expect(r.days[6]).toBe(today());
    expect(r.apps).toEqual([
      { appId: A.appId, name: 'Shop' },
      { appId: B.appId, name: null },
    ]);
    expect(r.logins).toHaveLength(14);
    expect(r.logins!.every((row) => row.new === 0 && row.returning === 0)).toBe(true);
    expect(r.errors).toEqual([]);
  });

  test('first logins count as new, later ones as returning, per app (the same person in another app is new there)', async () => {
    for (const [appId, user] of [
      [A.appId, 'alice'],
      [A.appId, 'alice'],
      [A.appId, 'alice'],
      [A.appId, 'bob'],
      [B.appId, 'alice'],
    ]) {
      expect((await signIn(appId, user)).status).toBe(200);
    }
    const r = await report({ days: '7' });
    expect(loginsToday(r, A.appId)).toEqual({ day: today(), appId: A.appId, new: 2, returning: 2 });
    expect(loginsToday(r, B.appId)).toEqual({ day: today(), appId: B.appId, new: 1, returning: 0 });
    // Only today moved.
    expect(r.logins!.filter((row) => row.day !== today()).every((row) => row.new === 0 && row.returning === 0)).toBe(true);
  });

  test('WeChat failures are counted by errcode (or transport failure), per app; nothing else moves', async () => {
    expect((await failWith(A.appId, 'err40029')).status).toBe(400);
    expect((await failWith(A.appId, 'err40029')).status).toBe(400);
    expect((await failWith(A.appId, 'err-1')).status).toBe(503);
    expect((await failWith(B.appId, 'http500')).status).toBe(502);
    // Refused before WeChat is asked: not a WeChat error.
    expect((await login(app.server, { appId: A.appId, code: '' })).status).toBe(400);
    const r = await report({ days: '7' });
    expect(errorsToday(r, A.appId)).toEqual({ '40029': 2, '-1': 1 });
    expect(errorsToday(r, B.appId)).toEqual({ 'http-status': 1 });
    expect(loginsToday(r, A.appId)).toMatchObject({ new: 2, returning: 2 });
  });

  test('one row per (app, day, kind, code): later flushes add to it', async () => {
    const before = await storedRows();
    expect(before).toHaveLength(6);
    expect((await signIn(A.appId, 'alice')).status).toBe(200);
    expect((await signIn(A.appId, 'alice')).status).toBe(200);
    expect((await failWith(A.appId, 'err40029')).status).toBe(400);
    await report();
    const after = await storedRows();
    expect(after).toHaveLength(6);
    const count = (rows: typeof before, kind: string, code = '') =>
      Number(rows.find((row: { app_id: string; kind: string; code: string }) => row.app_id === A.appId && row.kind === kind && row.code === code).count);
    expect(count(after, 'returning') - count(before, 'returning')).toBe(2);
    expect(count(after, 'error', '40029') - count(before, 'error', '40029')).toBe(1);
    expect(count(after, 'new')).toBe(count(before, 'new'));
  });
});

describe('GET /activity', () => {
  test('one app, one series; the default period is 30 days', async () => {
    const r = await report({ appId: B.appId.toUpperCase(), series: 'logins' });
    expect(r.days).toHaveLength(30);
    // Every app to choose from; the rows of the one asked for.
    expect(r.apps.map((a) => a.appId)).toEqual([A.appId, B.appId]);
    expect(new Set(r.logins!.map((row) => row.appId))).toEqual(new Set([B.appId]));
    expect(r.errors).toBeUndefined();
    expect(r.logins).toHaveLength(30);
    expect(loginsToday(r, B.appId)).toMatchObject({ new: 1, returning: 0 });
    const errors = await report({ days: '90', series: 'errors' });
    expect(errors.days).toHaveLength(90);
    expect(errors.logins).toBeUndefined();
    expect(errors.errors!.map((e) => e.code).sort()).toEqual(['-1', '40029', 'http-status']);
  });

  test('CSV: one chart per file, a header row, the numbers of the JSON, a filename to save it under', async () => {
    const res = await activity({ days: '7', series: 'logins', format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const days = (await report({ days: '7' })).days;
    expect(res.headers['content-disposition']).toBe(`attachment; filename="wechat-logins-${days[0]}-to-${days[6]}.csv"`);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('day,app_id,new,returning');
    expect(lines).toHaveLength(1 + 14);
    expect(lines).toContain(`${today()},${A.appId},2,4`);
    expect(lines).toContain(`${today()},${B.appId},1,0`);

    const errors = await activity({ days: '7', series: 'errors', format: 'csv', appId: A.appId });
    expect(errors.headers['content-disposition']).toBe(`attachment; filename="wechat-errors-${days[0]}-to-${days[6]}-${A.appId}.csv"`);
    expect(errors.text).toBe(`day,app_id,code,count\r\n${today()},${A.appId},-1,1\r\n${today()},${A.appId},40029,3\r\n`);
  });

  test.each([
    [{ days: '8' }, 'days must be 7, 30 or 90'],
    [{ days: 'week' }, 'days must be 7, 30 or 90'],
    [{ days: ['7', '30'] }, 'days must be 7, 30 or 90'],
    [{ appId: 'wxnothex' }, 'AppID must be "wx" followed by 16 hexadecimal characters'],
    [{ series: 'users' }, 'series must be logins or errors'],
    [{ format: 'xml' }, 'format must be json or csv'],
    [{ format: 'csv' }, 'format=csv needs series=logins or series=errors'],
    [{ from: '2026-01-01' }, 'Unknown parameter: from'],
  ])('%j: 400 in Strapi\'s error format, "%s"', async (query, message) => {
    const res = await activity(query);
    expectStrapiError(res, 400);
    expect(res.body.error.name).toBe('ValidationError');
    const messages: string[] = [res.body.error.message, ...(res.body.error.details?.errors ?? []).map((e: { message: string }) => e.message)];
    expect(messages.some((m) => m.includes(message))).toBe(true);
  });

  test('access: 401 without an admin JWT, 403 without "Read login activity" (settings.read is not enough), 200 with it alone', async () => {
    expectStrapiError(await activity({}, ''), 401);
    expectStrapiError(await activity({}, tokens.settingsReader), 403);
    expectStrapiError(await activity({ series: 'logins', format: 'csv' }, tokens.editor), 403);
    expect((await activity({}, tokens.activityReader)).status).toBe(200);
  });

  test('the action is registered for the plugin and the Super Admin holds it', async () => {
    expect(app.strapi.admin.services.permission.actionProvider.get(READ_ACTIVITY)).toMatchObject({
      section: 'plugins',
      pluginName: PLUGIN,
      subCategory: 'activity',
    });
    const superAdmin = await app.strapi.admin.services.role.getSuperAdmin();
    const actions = (await app.strapi.admin.services.permission.findMany({ where: { role: { id: superAdmin.id } } })).map((p: { action: string }) => p.action);
    expect(actions).toContain(READ_ACTIVITY);
  });

  test('the content type is internal: hidden from the Content Manager, no content-API route', async () => {
    const res = await request(app.server).get('/content-manager/content-types').set('Authorization', `Bearer ${tokens.superAdmin}`);
    const type = (res.body.data as Array<{ uid: string; isDisplayed: boolean }>).find((t) => t.uid === `plugin::${PLUGIN}.login-activity`);
    expect(type?.isDisplayed).toBe(false);
    expect((await request(app.server).get(`/api/${PLUGIN}/login-activities`)).status).toBe(404);
  });
});

describe('stopping, and activity.enabled: false', () => {
  test('the counts since the last flush are stored when Strapi stops; once disabled, logins and failures count nothing', async () => {
    const before = loginsToday(await report({ days: '7' }), A.appId)!;
    expect((await signIn(A.appId, 'carol')).status).toBe(200);
    await app.stop();

    app = await startTestApp({ name: 'activity-api', keepDatabase: true, pluginConfig: pluginConfig(false) });
    // The same database: the Super Admin registered above.
    tokens.superAdmin = await adminLogin(app.server, 'super@example.com');
    const stored = await report({ days: '7' });
    expect(loginsToday(stored, A.appId)).toEqual({ ...before, new: before.new + 1 });
    const rows = await storedRows();

    expect((await signIn(A.appId, 'alice')).status).toBe(200);
    expect((await signIn(A.appId, 'dave')).status).toBe(200);
    expect((await failWith(A.appId, 'err40029')).status).toBe(400);
    expect(await report({ days: '7' })).toEqual(stored);
    expect(await storedRows()).toEqual(rows);
  });
});
