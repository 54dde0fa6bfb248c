import { query } from '../strapi';
import type { Strapi } from '../types';
import { ADMIN_AUDIT_UID } from '../content-types/admin-audit';

/** The admin who acted, as the admin API's ctx.state.user has it. */
export interface AuditActor {
  id: number | null;
  email: string | null;
}

import type { AuditAction, AuditDetails, AuditEntry } from './wechat-users-view';

export type { AuditAction, AuditDetails, AuditEntry };

interface AuditRow {
  id: number;
  action: AuditAction;
  adminUserId: number | null;
  adminEmail: string | null;
  targetUserId: number;
  details: AuditDetails | null;
  createdAt: string | Date;
}

const iso = (value: string | Date) => new Date(value).toISOString();

/** How many entries a user's card lists (newest first). */
const CARD_ENTRIES = 20;

/**
 * The plugin's own record of what admins did to WeChat users (table wechat_admin_audit). Callers pass details made
 * of ids, app ids and flags only: the record never holds a secret, an openid, a unionid or a phone number.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const entries = () => query<AuditRow>(strapi, ADMIN_AUDIT_UID);

  return {
    async record(actor: AuditActor, action: AuditAction, targetUserId: number, details: AuditDetails = {}): Promise<void> {
      await entries().create({ data: { adminUserId: actor.id, adminEmail: actor.email, action, targetUserId, details } });
      strapi.log.info(`[wechat-auth] admin user #${actor.id ?? 'unknown'}: ${action} on user #${targetUserId}`);
    },

    async forUser(targetUserId: number, limit = CARD_ENTRIES): Promise<AuditEntry[]> {
      const rows = await entries().findMany({
        where: { targetUserId },
        select: ['id', 'action', 'adminUserId', 'adminEmail', 'targetUserId', 'details', 'createdAt'],
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        limit,
      });
      return rows.map((row) => ({ ...row, details: row.details ?? {}, createdAt: iso(row.createdAt) }));
    },
  };
};
