/**
 * The databases earlier releases leave behind, built in a plain Strapi 4.26 app (this plugin not
 * installed) so the upgrade tests can start the new plugin on them:
 *
 * - 0.0.5: `openid` (Text) and `wechatUserInfo` (JSON) added to the User by hand through the
 *   Content-Type Builder, as its README said (an extension schema), and its own content type
 *   `plugin::strapi-wechat-miniprogram-auth.wx-credential`. Strapi 4.26 names that table
 *   `strapi-wechat-miniprogram-auth_wx-credential` (`<plugin>_<singularName>`, lowercased; the schema's
 *   `info.tableName: 'wechat_auth_creds'` is ignored), which is what installing the real 0.0.5 tarball
 *   creates. Here a tiny local plugin of the same name declares the same schema, so Strapi builds the
 *   same table; rows are written with the same queries 0.0.5 makes.
 * - 1.0: `openid` (unique column), `unionid`, `wechatSessionKey`, `wechatUserInfo` on the User, and the
 *   plugin store holding `{ appId, appSecret }`.
 *
 * Nothing here reads ../shared: the schemas are copied below.
 */
import path from 'path';
import { randomBytes } from 'crypto';
import { PLUGIN_NAME, TestApp } from './test-app';

type StrapiApp = TestApp['strapi'];

export const USER_UID = 'plugin::users-permissions.user';
export const ROLE_UID = 'plugin::users-permissions.role';
export const LEGACY_CREDENTIAL_UID = `plugin::${PLUGIN_NAME}.wx-credential`;
/** The table 0.0.5's credentials live in on Strapi 4.26 (observed by installing the 0.0.5 tarball). */
export const LEGACY_CREDENTIAL_TABLE = `${PLUGIN_NAME}_wx-credential`;

/** 0.0.5's server/content-types/wechat-credential.js, unchanged. */
export const WX_CREDENTIAL_SCHEMA_005 = {
  kind: 'singleType',
  info: {
    displayName: 'WeChat Credentials',
    singularName: 'wx-credential',
    pluralName: 'wx-credentials',
    description: 'Stores WeChat Mini program credentials',
    tableName: 'wechat_auth_creds',
  },
  options: {
    privateAttributes: ['id', 'created_at'],
    populateCreatorFields: true,
    draftAndPublish: true,
  },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    app_id: { type: 'string', configurable: true, required: true, default: null },
    app_secret: { type: 'string', configurable: true, required: true, default: null },
  },
};

/** The attributes 0.0.5's README had people add to the User (Content-Type Builder: Text, JSON). */
export const USER_FIELDS_005 = {
  openid: { type: 'string' },
  wechatUserInfo: { type: 'json' },
};

/** The attributes 1.0 added to the User at register (`git show v1.0.0:server/content-types/user-attributes.ts`). */
export const USER_FIELDS_10 = {
  openid: { type: 'string', private: true, writable: false, configurable: false, column: { unique: true } },
  unionid: { type: 'string', private: true, writable: false, configurable: false },
  wechatSessionKey: { type: 'string', private: true, writable: false, configurable: false, searchable: false },
  wechatUserInfo: { type: 'json', configurable: false },
};

/** users-permissions' User schema with `extra` attributes, as the Content-Type Builder writes an extension. */
export function userSchemaWith(extra: Record<string, unknown>): string {
  const dir = path.dirname(require.resolve('@strapi/plugin-users-permissions/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS module of the plugin, not one of its package exports
  const { config: _config, ...userType } = require(path.join(dir, 'server', 'content-types', 'user'));
  return JSON.stringify({ kind: 'collectionType', ...userType, attributes: { ...userType.attributes, ...extra } }, null, 2);
}

export const USER_EXTENSION_PATH = 'src/extensions/users-permissions/content-types/user/schema.json';

/** The hand-made User fields of a 0.0.5 app: stays in the app after the upgrade. */
export const files005UserExtension = (): Record<string, string> => ({ [USER_EXTENSION_PATH]: userSchemaWith(USER_FIELDS_005) });

/**
 * A plain app (no plugin installed) holding 0.0.5's pieces: the hand-made User fields and, through a
 * local plugin named like 0.0.5, its credentials content type. Pass to startTestApp({ withPlugin: false }).
 */
export function files005(): Record<string, string> {
  const local = 'src/plugins/wechat-auth-005';
  return {
    ...files005UserExtension(),
    [`${local}/package.json`]: JSON.stringify(
      { name: PLUGIN_NAME, version: '0.0.5', strapi: { name: PLUGIN_NAME, kind: 'plugin', displayName: 'Strapi Wechat Miniprogram Auth' } },
      null,
      2
    ),
    [`${local}/strapi-server.js`]: `module.exports = { contentTypes: { 'wx-credential': { schema: ${JSON.stringify(WX_CREDENTIAL_SCHEMA_005)} } } };\n`,
    'config/plugins.js': `module.exports = () => (${JSON.stringify(
      {
        'users-permissions': { config: { jwtSecret: 'test-users-permissions-jwt-secret' } },
        [PLUGIN_NAME]: { enabled: true, resolve: `./${local}` },
      },
      null,
      2
    )});\n`,
  };
}

/** A plain app with the User as 1.0 left it. Pass to startTestApp({ withPlugin: false }). */
export const files10 = (): Record<string, string> => ({ [USER_EXTENSION_PATH]: userSchemaWith(USER_FIELDS_10) });

/** What 0.0.5's POST /credentials/add did: one row through the query engine (published_at stays null). */
export async function insertCredentials005(strapi: StrapiApp, credentials: { appId: string; appSecret: string }): Promise<number> {
  const row = await strapi.db.query(LEGACY_CREDENTIAL_UID).create({ data: { app_id: credentials.appId, app_secret: credentials.appSecret } });
  return row.id;
}

/** The credentials row as stored, every column (to compare before and after an upgrade). */
export async function credentialRows005(strapi: StrapiApp): Promise<Record<string, unknown>[]> {
  const rows = await strapi.db.connection(LEGACY_CREDENTIAL_TABLE).select('*').orderBy('id');
  // Drivers differ in how they return dates and booleans; compare the same way on every database.
  return rows.map((r: Record<string, unknown>) => JSON.parse(JSON.stringify(r)));
}

/** The authenticated role must be id 1: 0.0.5 wrote `role: 1` whatever the role was. */
export async function authenticatedRoleIs1(strapi: StrapiApp): Promise<void> {
  const role = await strapi.db.query(ROLE_UID).findOne({ where: { id: 1 } });
  if (role?.type !== 'authenticated') throw new Error(`role id 1 is ${role?.type}, not authenticated: not the state 0.0.5 leaves`);
}

/**
 * A user as 0.0.5's login created it: bcrypt hash of a random password (its admin::auth.hashPassword),
 * openid, wechatUserInfo ({} when the mini program sent none), confirmed, not blocked, role 1,
 * provider 'local', no username, no email.
 */
export async function insertUser005(strapi: StrapiApp, user: { openid: string; wechatUserInfo?: Record<string, unknown> }): Promise<number> {
  const password = await strapi.service('admin::auth').hashPassword(randomBytes(8).toString('base64url').slice(0, 10));
  const created = await strapi.db.query(USER_UID).create({
    data: {
      password,
      openid: user.openid,
      wechatUserInfo: user.wechatUserInfo ?? {},
      confirmed: true,
      blocked: false,
      role: 1,
      provider: 'local',
    },
  });
  return created.id;
}

/** The 1.0 plugin store row: `{ appId, appSecret }` under `plugin_strapi-wechat-miniprogram-auth_settings`. */
export async function storeSettings10(strapi: StrapiApp, settings: { appId: string; appSecret: string }): Promise<void> {
  await strapi.store({ type: 'plugin', name: PLUGIN_NAME }).set({ key: 'settings', value: settings });
}

/** A user as 1.0's login created it. */
export async function insertUser10(
  strapi: StrapiApp,
  user: { openid: string; unionid?: string | null; sessionKey: string; wechatUserInfo?: Record<string, unknown> | null }
): Promise<number> {
  const role = await strapi.db.query(ROLE_UID).findOne({ where: { type: 'authenticated' } });
  const created = await strapi.db.transaction(() =>
    strapi.db.query(USER_UID).create({
      data: {
        username: `wechat_${user.openid}`,
        email: `${user.openid.toLowerCase()}@wechat.invalid`,
        provider: 'wechat-miniprogram',
        confirmed: true,
        blocked: false,
        role: role.id,
        openid: user.openid,
        unionid: user.unionid ?? null,
        wechatSessionKey: user.sessionKey,
        wechatUserInfo: user.wechatUserInfo ?? null,
      },
    })
  );
  return created.id;
}

/** Every up_users row and role link, as stored (to compare before and after). */
export async function userRows(strapi: StrapiApp): Promise<Record<string, unknown>[]> {
  const rows = await strapi.db.connection('up_users').select('*').orderBy('id');
  return rows.map((r: Record<string, unknown>) => JSON.parse(JSON.stringify(r)));
}

/**
 * What 0.0.5 leaves after one person's first logins overlap: each login looked the openid up
 * (`findOne({ where: { openid } })`), found nobody, hashed a password and created a user: no unique
 * index and no re-read, so each made an account of its own, a few ms apart, each with its own
 * password and the userInfo its request sent. Here `logins` such logins run at the same moment,
 * with 0.0.5's steps; resolves to the accounts' ids, oldest first.
 */
export async function simultaneousFirstLogins005(
  strapi: StrapiApp,
  user: { openid: string; logins: number; wechatUserInfo?: (login: number) => Record<string, unknown> }
): Promise<number[]> {
  const ids = await Promise.all(
    Array.from({ length: user.logins }, async (_, login) => {
      const found = await strapi.db.query(USER_UID).findOne({ where: { openid: user.openid } });
      if (found) return found.id as number;
      return insertUser005(strapi, { openid: user.openid, wechatUserInfo: user.wechatUserInfo?.(login) });
    })
  );
  const accounts = [...new Set(ids)].sort((a, b) => a - b);
  if (accounts.length !== user.logins) throw new Error(`the ${user.logins} first logins made ${accounts.length} account(s): not the state being tested`);
  return accounts;
}
