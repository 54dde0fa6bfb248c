import { randomBytes } from 'crypto';
import { OAUTH_GRANT_UID } from '../content-types/oauth-grant';
import { hashSecret } from '../crypto/secret-hash';
import { query } from '../strapi';
import type { Strapi } from '../types';

export type GrantKind = 'state' | 'login';

export interface Grant {
  id: number;
  kind: GrantKind;
  appId: string;
  redirect: string | null;
  userId: number | null;
  openid: string | null;
  secretHash: string | null;
  expiresAt: number;
  usedAt: number | null;
}

/** Rows past their expiry are kept this long (a late use says "expired", not "unknown"), then deleted. */
const KEEP_EXPIRED_MS = 60 * 60 * 1000;
/** How often one instance deletes old rows, at most. */
const CLEANUP_EVERY_MS = 60 * 1000;

/**
 * The browser logins' single-use tokens (server/content-types/oauth-grant.ts): issued with a lifetime, stored as
 * hashes, used once by a conditional update whichever instance uses them.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const rows = () => query<Record<string, unknown>>(strapi, OAUTH_GRANT_UID);
  let lastCleanup = 0;

  function cleanUp(now: number) {
    if (now - lastCleanup < CLEANUP_EVERY_MS) return;
    lastCleanup = now;
    rows()
      .deleteMany({ where: { expiresAt: { $lt: now - KEEP_EXPIRED_MS } } })
      .catch((error: Error) => strapi.log.warn(`[wechat-auth] could not delete expired browser login grants: ${error.message}`));
  }

  const toGrant = (row: Record<string, unknown>): Grant => ({
    id: Number(row.id),
    kind: row.kind as GrantKind,
    appId: String(row.appId),
    redirect: (row.redirect as string | null) ?? null,
    userId: row.userId === null || row.userId === undefined ? null : Number(row.userId),
    openid: (row.openid as string | null) ?? null,
    secretHash: (row.secretHash as string | null) ?? null,
    expiresAt: Number(row.expiresAt),
    usedAt: row.usedAt === null || row.usedAt === undefined ? null : Number(row.usedAt),
  });

  return {
    /** A new token of `kind`, valid `ttlMs`; `secret` (state): the browser cookie's, stored hashed. Hex: WeChat's state takes [a-zA-Z0-9] only. */
    async issue(
      kind: GrantKind,
      fields: { appId: string; redirect?: string; userId?: number; openid?: string; secret?: string },
      ttlMs: number
    ): Promise<string> {
      const token = randomBytes(32).toString('hex');
      const now = Date.now();
      const { secret, ...rest } = fields;
      await rows().create({
        data: { kind, hash: hashSecret(token), ...(secret ? { secretHash: hashSecret(secret) } : {}), ...rest, expiresAt: now + ttlMs, usedAt: null },
      });
      cleanUp(now);
      return token;
    },

    async find(kind: GrantKind, token: string): Promise<Grant | null> {
      const row = await rows().findOne({ where: { kind, hash: hashSecret(token) } });
      return row ? toGrant(row) : null;
    },

    /** What keeps a found grant from being used now: 'used', 'expired', or null (it can be claimed). */
    problemOf(grant: Grant): 'used' | 'expired' | null {
      if (grant.usedAt !== null) return 'used';
      return grant.expiresAt <= Date.now() ? 'expired' : null;
    },

    /** Marks the grant used; false when another request (on any instance) used it first. */
    async claim(grant: Grant): Promise<boolean> {
      const { count } = await rows().updateMany({ where: { id: grant.id, usedAt: null }, data: { usedAt: Date.now() } });
      return count > 0;
    },

    newSecret: () => randomBytes(32).toString('base64url'),
  };
};
