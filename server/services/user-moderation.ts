import { errors } from '@strapi/utils';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { query, transaction, type MediaFile } from '../strapi';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { IDENTITY_UID, USER_UID } from '../utils/plugin-id';
import type { AuditDetails } from './audit-log';

const { NotFoundError } = errors;

interface UserRow {
  id: number;
  openid: string | null;
  unionid: string | null;
  blocked: boolean | null;
  wechatNickname: string | null;
  wechatUserInfo: Record<string, unknown> | null;
  wechatAvatar?: Pick<MediaFile, 'id'> | null;
  purePhoneNumber: string | null;
  phoneCountryCode: string | null;
}

interface IdentityRow {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
}

/** Whether an action changed anything. */
export interface ModerationResult {
  changed: boolean;
}

/**
 * Records an action that changed something (server/services/audit-log.ts), in the action's own transaction: an
 * action is never done unrecorded. The details are ids and flags, never a value the user gave or WeChat vouched for.
 */
export type RecordAction = (details: AuditDetails) => Promise<void>;

/** The 404 of an action or a card on a user id that is not there. */
export const userNotFound = (userId: number) => new NotFoundError(`User #${userId} does not exist`, { userId });

/**
 * What an admin may do to a WeChat user from the WeChat users view. Every write to the fields only the plugin writes
 * runs through the identity guard's asIdentityWrite, in one transaction with the read it depends on and the audit
 * record. An action that finds nothing to change changes and records nothing (`changed: false`).
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const users = () => query<UserRow>(strapi, USER_UID);
  const identities = () => query<IdentityRow>(strapi, IDENTITY_UID);

  async function userRow(userId: number, populate?: Record<string, unknown>): Promise<UserRow> {
    const user = await users().findOne({
      where: { id: userId },
      select: ['id', 'openid', 'unionid', 'blocked', 'wechatNickname', 'wechatUserInfo', 'purePhoneNumber', 'phoneCountryCode'],
      populate,
    });
    if (!user) throw userNotFound(userId);
    return user;
  }

  const writeUser = (userId: number, data: Record<string, unknown>) =>
    asIdentityWrite(() => users().updateMany({ where: { id: userId }, data: { ...data, updatedAt: new Date() } }));

  /** The login's userInfo without `key` (the next login may send it again: that is the user's own WeChat profile). */
  function withoutUserInfo(user: UserRow, key: string): Record<string, unknown> | null | undefined {
    const info = user.wechatUserInfo;
    if (!info || typeof info !== 'object' || !(key in info)) return undefined;
    const { [key]: _removed, ...rest } = info;
    return rest;
  }

  return {
    /** The nickname set through PUT /profile, and the one the latest login's userInfo carried. */
    clearNickname: (userId: number, record: RecordAction): Promise<ModerationResult> =>
      transaction(strapi, async () => {
        const user = await userRow(userId);
        const userInfo = withoutUserInfo(user, 'nickName');
        const changed = Boolean(user.wechatNickname) || userInfo !== undefined;
        if (changed) {
          await writeUser(userId, { wechatNickname: null, ...(userInfo !== undefined ? { wechatUserInfo: userInfo } : {}) });
          await record({ profileNickname: Boolean(user.wechatNickname), loginNickname: userInfo !== undefined });
        }
        return { changed };
      }),

    /** The avatar set through PUT /profile (unlinked, then deleted from the Media Library) and the login's avatarUrl. */
    async clearAvatar(userId: number, record: RecordAction): Promise<ModerationResult> {
      const { fileId, changed } = await transaction(strapi, async () => {
        const user = await userRow(userId, { wechatAvatar: { select: ['id'] } });
        const userInfo = withoutUserInfo(user, 'avatarUrl');
        const file = user.wechatAvatar?.id ?? null;
        const loginAvatar = userInfo !== undefined;
        await asIdentityWrite(async () => {
          if (file !== null) await users().update({ where: { id: userId }, data: { wechatAvatar: null } });
          if (loginAvatar) await writeUser(userId, { wechatUserInfo: userInfo });
        });
        if (file !== null || loginAvatar) await record({ fileId: file, loginAvatar });
        return { fileId: file, changed: file !== null || loginAvatar };
      });
      // After the commit: the file goes only once nothing links to it any more.
      if (fileId !== null) await getService(strapi, 'avatar').discard(fileId, userId);
      return { changed };
    },

    /** The verified phone number (all four fields). */
    unbindPhone: (userId: number, record: RecordAction): Promise<ModerationResult> =>
      transaction(strapi, async () => {
        const user = await userRow(userId);
        const changed = Boolean(user.purePhoneNumber);
        if (changed) {
          await writeUser(userId, { phoneNumber: null, purePhoneNumber: null, phoneCountryCode: null, phoneVerifiedAt: null });
          await record({ countryCode: user.phoneCountryCode });
        }
        return { changed };
      }),

    /**
     * Deletes one identity of the user: the next login from that app then finds no identity and makes or links an
     * account by the usual rules. So that it does not link straight back, the user also lets go of what would link it:
     * its unionid when no identity it keeps carries it, and the openid 0.0.5/1.0 kept on it when it is this one.
     */
    detachIdentity: (userId: number, identityId: number, record: RecordAction): Promise<ModerationResult> =>
      transaction(strapi, async () => {
        const user = await userRow(userId);
        const identity = await identities().findOne({
          where: { id: identityId, user: { id: userId } },
          select: ['id', 'appId', 'openid', 'unionid'],
        });
        if (!identity) throw new NotFoundError(`User #${userId} has no identity #${identityId}`, { userId, identityId });
        await asIdentityWrite(() => identities().delete({ where: { id: identity.id } }));
        const keepsUnionid = user.unionid ? (await identities().count({ where: { user: { id: userId }, unionid: user.unionid } })) > 0 : true;
        const releaseUnionid = Boolean(user.unionid) && !keepsUnionid;
        const releaseLegacyOpenid = user.openid !== null && user.openid === identity.openid;
        if (releaseUnionid || releaseLegacyOpenid) {
          await writeUser(userId, {
            ...(releaseUnionid ? { unionid: null } : {}),
            ...(releaseLegacyOpenid ? { openid: null, wechatSessionKey: null } : {}),
          });
        }
        await record({ identityId: identity.id, appId: identity.appId, unionidReleased: releaseUnionid });
        return { changed: true };
      }),

    /** users-permissions' `blocked`: a blocked user's logins (WeChat and others) are refused. */
    setBlocked: (userId: number, blocked: boolean, record: RecordAction): Promise<ModerationResult> =>
      transaction(strapi, async () => {
        const user = await userRow(userId);
        const changed = Boolean(user.blocked) !== blocked;
        if (changed) {
          await writeUser(userId, { blocked });
          await record({});
        }
        return { changed };
      }),
  };
};
