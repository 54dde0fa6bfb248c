import { PLUGIN_ID } from '../utils/plugin-id';

export const OAUTH_GRANT_UID = `plugin::${PLUGIN_ID}.oauth-grant`;
export const OAUTH_GRANT_TABLE = 'wechat_oauth_grants';

/**
 * The short-lived, single-use tokens of the browser logins (docs/web-logins.md), in the database so that every
 * instance sees them: a `state` bound to the browser that asked (its cookie's secret, hashed), and the one-time login
 * code the page exchanges for a JWT. Only SHA-256 hashes of the tokens and secrets are stored; `usedAt` is set by a
 * conditional update, so a token is used once whichever instance gets it. Hidden from the admin and from GraphQL.
 */
export const oauthGrantSchema = {
  kind: 'collectionType',
  collectionName: OAUTH_GRANT_TABLE,
  info: {
    singularName: 'oauth-grant',
    pluralName: 'oauth-grants',
    displayName: 'WeChat browser login grant',
    description: 'A browser login state or one-time login code (managed by the plugin)',
  },
  options: { draftAndPublish: false },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    /** 'state' (authorize → callback) or 'login' (callback → exchange). */
    kind: { type: 'string', required: true, configurable: false, writable: false },
    /** SHA-256 (hex) of the token. */
    hash: { type: 'string', required: true, private: true, configurable: false, writable: false, column: { unique: true } },
    /** state: SHA-256 (hex) of the secret in the browser's cookie. */
    secretHash: { type: 'string', private: true, configurable: false, writable: false },
    appId: { type: 'string', required: true, configurable: false, writable: false },
    /** state: the allowed page the browser goes back to. */
    redirect: { type: 'text', configurable: false, writable: false },
    /** login: the user who logged in, and the openid of the app they logged in with. */
    userId: { type: 'integer', configurable: false, writable: false },
    openid: { type: 'string', private: true, configurable: false, writable: false },
    /** ms since the epoch. */
    expiresAt: { type: 'biginteger', required: true, configurable: false, writable: false },
    usedAt: { type: 'biginteger', configurable: false, writable: false },
  },
};
