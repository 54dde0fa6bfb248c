import { USER_UID } from '../utils/plugin-id';

export const IDENTITY_TABLE = 'wechat_identities';
export const IDENTITY_UNIQUE_INDEX = 'wechat_identities_app_openid_uq';

/**
 * One WeChat identity: a user's openid in one mini program, the unionid WeChat gave with it and
 * the session key of the latest login from that app. (appId, openid) is unique in the database.
 * Internal: no content-API route, hidden from the admin and from GraphQL (server/graphql).
 */
export const identitySchema = {
  kind: 'collectionType',
  collectionName: IDENTITY_TABLE,
  info: {
    singularName: 'identity',
    pluralName: 'identities',
    displayName: 'WeChat identity',
    description: "A user's openid in one mini program (managed by the WeChat login; read-only)",
  },
  options: { draftAndPublish: false },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    appId: { type: 'string', required: true, configurable: false, writable: false },
    // Private (as on the User): kept out of any sanitized output, should a route or query ever expose identities.
    openid: { type: 'string', required: true, private: true, configurable: false, writable: false },
    unionid: { type: 'string', private: true, configurable: false, writable: false },
    sessionKey: { type: 'string', private: true, searchable: false, configurable: false, writable: false },
    user: {
      type: 'relation',
      relation: 'manyToOne',
      target: USER_UID,
      inversedBy: 'wechatIdentities',
      configurable: false,
      writable: false,
    },
  },
  // A real composite unique index: the database settles two simultaneous first logins.
  indexes: [{ name: IDENTITY_UNIQUE_INDEX, columns: ['app_id', 'openid'], type: 'unique' }],
};
