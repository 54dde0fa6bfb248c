/**
 * Several mini programs and WeChat identities (docs/design/apps-and-identities.md): the admin API
 * for apps, and what the database holds about identities.
 */
import request from 'supertest';
import { PLUGIN_NAME, TestApp } from './test-app';

type StrapiApp = TestApp['strapi'];

export const SETTINGS_PATH = `/${PLUGIN_NAME}/settings`;
export const IDENTITY_UID = `plugin::${PLUGIN_NAME}.identity`;
export const USER_UID = 'plugin::users-permissions.user';
/** The identity table the design names, and its composite unique index. */
export const IDENTITY_TABLE = 'wechat_identities';
export const IDENTITY_INDEX = 'wechat_identities_app_openid_uq';

type Target = Parameters<typeof request>[0];

/** The plugin's admin settings API, as an admin with `token`. */
export function settingsApi(server: Target, token: string) {
  const send = (method: 'get' | 'post' | 'put' | 'delete', path: string, body?: unknown) => {
    const req = request(server)[method](`${SETTINGS_PATH}${path}`).set('Authorization', `Bearer ${token}`);
    return body === undefined ? req : req.send(body as object);
  };
  return {
    get: () => send('get', ''),
    addApp: (app: { appId: string; appSecret?: string; name?: string }) => send('post', '/apps', app),
    updateApp: (appId: string, changes: { name?: string; appSecret?: string }) => send('put', `/apps/${encodeURIComponent(appId)}`, changes),
    removeApp: (appId: string) => send('delete', `/apps/${encodeURIComponent(appId)}`),
    setDefault: (appId: string) => send('put', '/default', { appId }),
  };
}

/** Fails with the response body when the status is not `status` (so a failure shows why). */
export function expectStatus(res: request.Response, status: number): void {
  expect({ status: res.status, body: res.status === status ? undefined : res.body }).toEqual({ status, body: undefined });
}

export interface IdentityRow {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  sessionKey: string | null;
  userId: number | null;
}

/** Every identity, with the id of its user (null when it has none), read through the query engine. */
export async function allIdentities(strapi: StrapiApp, where: Record<string, unknown> = {}): Promise<IdentityRow[]> {
  const rows: Array<Omit<IdentityRow, 'userId'> & { user?: { id: number } | null }> = await strapi.db
    .query(IDENTITY_UID)
    .findMany({ where, populate: ['user'], orderBy: { id: 'asc' } });
  return rows.map((r) => ({
    id: r.id,
    appId: r.appId,
    openid: r.openid,
    unionid: r.unionid ?? null,
    sessionKey: r.sessionKey ?? null,
    userId: r.user?.id ?? null,
  }));
}

/** The identities of one user, as { appId, openid, unionid } sorted by appId. */
export async function identitiesOf(strapi: StrapiApp, userId: number) {
  const rows = await allIdentities(strapi, { user: { id: userId } });
  return rows.map(({ appId, openid, unionid }) => ({ appId, openid, unionid })).sort((a, b) => a.appId.localeCompare(b.appId));
}

/**
 * Inserts a row straight through knex (no lifecycles, no identity guard), with attribute names
 * mapped to the columns Strapi gave them; resolves to the driver's error, or null when accepted.
 */
export async function rawInsert(strapi: StrapiApp, uid: string, values: Record<string, unknown>): Promise<{ message: string } | null> {
  const meta = strapi.db.metadata.get(uid);
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) row[meta.attributes[key]?.columnName ?? key] = value;
  return strapi.db
    .connection(meta.tableName)
    .insert(row)
    .then(
      () => null,
      // The message, not instanceof: native drivers keep the error class of the first test file that loaded them.
      (error: { message?: unknown }) => ({ message: String(error?.message) })
    );
}

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Winston lines LogCapture recorded at `level`, parsed. */
export function logLines(logs: { lines: string[] }, level: string, from = 0): Array<{ level: string; message: string; [k: string]: unknown }> {
  return logs.lines
    .slice(from)
    .map((l) => JSON.parse(l))
    .filter((l) => String(l.level).replace(ANSI_COLOUR, '') === level);
}
