import { PLUGIN_ID } from '../utils/plugin-id';

export const LOGIN_ACTIVITY_UID = `plugin::${PLUGIN_ID}.login-activity`;
export const LOGIN_ACTIVITY_TABLE = 'wechat_login_activity';
export const LOGIN_ACTIVITY_UNIQUE_INDEX = 'wechat_login_activity_key_uq';
export const LOGIN_ACTIVITY_KEY_COLUMNS = ['app_id', 'day', 'kind', 'code'];

/**
 * A short string column: the four make one unique index, which MySQL/MariaDB limit to 3072 bytes (four VARCHAR(255)
 * in utf8mb4 would not fit). The flushes never write NULL (`code` is '' for logins: NULLs would never clash in the
 * index), but the columns stay nullable: Strapi 5's upgrade of a Strapi 4 database (its 5.0.0-02-created-document-id
 * migration) inserts rows holding only `id` and `document_id` into every table, which a NOT NULL column refuses.
 */
const keyColumn = (length: number) => ({
  type: 'string',
  required: true,
  configurable: false,
  writable: false,
  column: { args: [length] },
});

/**
 * Login activity per app and day (docs/admin-panel.md, "Activity"): how many new and returning logins, and how
 * many of each WeChat error, counted in memory by each instance and added here by its flushes
 * (server/services/activity.ts) with one upsert on the unique key (app_id, day, kind, code). Internal: hidden
 * from the admin's Content Manager and from GraphQL (server/graphql); read through the admin's activity route.
 */
export const loginActivitySchema = {
  kind: 'collectionType',
  collectionName: LOGIN_ACTIVITY_TABLE,
  info: {
    singularName: 'login-activity',
    pluralName: 'login-activities',
    displayName: 'WeChat login activity',
    description: 'Logins and WeChat errors per app and day (managed by the plugin)',
  },
  options: { draftAndPublish: false },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    // AppIDs are 18 characters.
    appId: keyColumn(32),
    /** YYYY-MM-DD in the configured timezone (a string: no driver turns it into a moment). */
    day: keyColumn(10),
    /** new, returning or error. */
    kind: keyColumn(16),
    /** The errcode or transport failure of an error; '' for logins. */
    code: keyColumn(32),
    count: { type: 'integer', required: true, configurable: false, writable: false },
  },
  indexes: [{ name: LOGIN_ACTIVITY_UNIQUE_INDEX, columns: LOGIN_ACTIVITY_KEY_COLUMNS, type: 'unique' }],
};
