import { PLUGIN_ID } from '../utils/plugin-id';

export const QR_LOGIN_UID = `plugin::${PLUGIN_ID}.qr-login`;
export const QR_LOGIN_TABLE = 'wechat_qr_logins';
/** The unique index `column: { unique: true }` makes on ticket (named as knex names it). */
export const QR_LOGIN_UNIQUE_INDEX = 'wechat_qr_logins_ticket_unique';

/**
 * One "scan a mini program code to log in on the web" ticket (server/services/qr-logins.ts): who
 * asked (a browser, described by its device and coarse network), who scanned it, and where it is in
 * its life. The browser's secret is kept only as a hash. Shared by every instance of the cluster;
 * hidden from the admin and from GraphQL (server/graphql); expired rows are deleted.
 */
export const qrLoginSchema = {
  kind: 'collectionType',
  collectionName: QR_LOGIN_TABLE,
  info: {
    singularName: 'qr-login',
    pluralName: 'qr-logins',
    displayName: 'WeChat QR login',
    description: 'A web login waiting for a scan of a mini program code (managed by the plugin)',
  },
  options: { draftAndPublish: false },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    ticket: { type: 'string', required: true, configurable: false, writable: false, column: { unique: true } },
    /** SHA-256 of the browser's secret (hex). */
    secretHash: { type: 'string', required: true, private: true, searchable: false, configurable: false, writable: false },
    /** pending → scanned → confirmed → collected, or scanned → cancelled. */
    status: { type: 'string', required: true, configurable: false, writable: false },
    appId: { type: 'string', required: true, configurable: false, writable: false },
    /** The requesting browser as its User-Agent describes it, e.g. "Chrome 120 on macOS 10.15.7 (desktop)". */
    browserDevice: { type: 'string', configurable: false, writable: false },
    /** The requesting browser's network, e.g. 203.0.113.0/24. */
    browserNetwork: { type: 'string', private: true, configurable: false, writable: false },
    /** The users-permissions user who scanned the code. */
    scannedBy: { type: 'integer', private: true, configurable: false, writable: false },
    scannedAt: { type: 'datetime', configurable: false, writable: false },
    confirmedAt: { type: 'datetime', configurable: false, writable: false },
    collectedAt: { type: 'datetime', configurable: false, writable: false },
    /** ms since the epoch: the end of the scan window, then (once confirmed) of the collect window. */
    expiresAt: { type: 'biginteger', required: true, configurable: false, writable: false },
  },
};
