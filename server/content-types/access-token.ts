import { PLUGIN_ID } from '../utils/plugin-id';

export const ACCESS_TOKEN_UID = `plugin::${PLUGIN_ID}.access-token`;
export const ACCESS_TOKEN_TABLE = 'wechat_access_tokens';
/** The unique index `column: { unique: true }` makes on app_id (named as knex names it). */
export const ACCESS_TOKEN_UNIQUE_INDEX = 'wechat_access_tokens_app_id_unique';

/**
 * The access token of each mini program, one row per AppID shared by every instance of the cluster
 * (server/wechat/access-token.ts). `app_id` has a real unique index, so two instances never keep two
 * rows for one app. Hidden from the admin and from GraphQL (server/graphql); the token is private and never leaves the server.
 */
export const accessTokenSchema = {
  kind: 'collectionType',
  collectionName: ACCESS_TOKEN_TABLE,
  info: {
    singularName: 'access-token',
    pluralName: 'access-tokens',
    displayName: 'WeChat access token',
    description: "A mini program's server API access token (managed by the plugin)",
  },
  options: { draftAndPublish: false },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    // `unique: true` alone creates no index in Strapi 4; `column: { unique: true }` does.
    appId: { type: 'string', required: true, configurable: false, writable: false, column: { unique: true } },
    // Text: WeChat asks for at least 512 characters of room.
    accessToken: { type: 'text', private: true, searchable: false, configurable: false, writable: false },
    /** ms since the epoch. */
    expiresAt: { type: 'biginteger', configurable: false, writable: false },
    refreshedAt: { type: 'datetime', configurable: false, writable: false },
    lastErrcode: { type: 'integer', configurable: false, writable: false },
    lastErrorAt: { type: 'datetime', configurable: false, writable: false },
    /** When force_refresh was used (ms since the epoch), the last day's. */
    forceRefreshes: { type: 'json', configurable: false, writable: false },
  },
};
