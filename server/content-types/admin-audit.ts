import { PLUGIN_ID } from '../utils/plugin-id';

export const ADMIN_AUDIT_UID = `plugin::${PLUGIN_ID}.admin-audit`;
export const ADMIN_AUDIT_TABLE = 'wechat_admin_audit';

/**
 * What admins did to WeChat users from the WeChat users view (server/services/audit-log.ts): who (the admin's id
 * and email at the time), what (the action and its details, never a secret, an openid or a phone number), to whom
 * (the user's id) and when (createdAt). Written by the plugin only; hidden from the Content Manager and GraphQL.
 */
export const adminAuditSchema = {
  kind: 'collectionType',
  collectionName: ADMIN_AUDIT_TABLE,
  info: {
    singularName: 'admin-audit',
    pluralName: 'admin-audits',
    displayName: 'WeChat admin audit',
    description: 'What admins did to WeChat users (written by the plugin)',
  },
  options: { draftAndPublish: false },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    adminUserId: { type: 'integer', configurable: false, writable: false },
    adminEmail: { type: 'string', configurable: false, writable: false },
    action: { type: 'string', required: true, configurable: false, writable: false },
    targetUserId: { type: 'integer', configurable: false, writable: false },
    details: { type: 'json', configurable: false, writable: false },
  },
};
