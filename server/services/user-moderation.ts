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

/** What an action changed, for the audit log (ids and flags, never a value the user gave or WeChat vouched for). */
export interface ModerationResult {
  changed: boolean;
  details: AuditDetails;
}

const userNotFound = (userId: number) => new NotFoundError(`User #${userId} does not exist`, { userId });

/**
 * What an admin may do to a WeChat user from the WeChat users view. Every write to the fields only the plugin writes
 * runs through the identity guard's asIdentityWrite, in one transaction with the read it depends on. An action that
 * finds nothing to change changes nothing (`changed: false`).
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
    clearNickname: (userId: number): Promise<ModerationResult> =>
      transaction(strapi, async () => {
        const user = await userRow(userId);
        const userInfo = withoutUserInfo(user, 'nickName');
        const changed = Boolean(user.wechatNickname) || userInfo !== undefined;
        if (changed) await writeUser(userId, { wechatNickname: null, ...(userInfo !== undefined ? { wechatUserInfo: userInfo } : {}) });
        return { changed, details: { profileNickname: Boolean(user.wechatNickname), loginNickname: userInfo !== undefined } };
      }),

    /** The avatar set through PUT /profile (unlinked, then deleted from the Media Library) and the login's avatarUrl. */
    async clearAvatar(userId: number): Promise<ModerationResult> {
      const { fileId, loginAvatar } = await transaction(strapi, async () => {
        const user = await userRow(userId, { wechatAvatar: { select: ['id'] } });
        const userInfo = withoutUserInfo(user, 'avatarUrl');
        const file = user.wechatAvatar?.id ?? null;
        await asIdentityWrite(async () => {
          if (file !== null) await users().update({ where: { id: userId }, data: { wechatAvatar: null } });
          if (userInfo !== undefined) await writeUser(userId, { wechatUserInfo: userInfo });
        });
        return { fileId: file, loginAvatar: userInfo !== undefined };
      });
      if (fileId !== null) await getService(strapi, 'avatar').discard(fileId, userId);
      return { changed: fileId !== null || loginAvatar, details: { fileId, loginAvatar } };
    },

    /** The verified phone number (all four fields). */
    unbindPhone: (userId: number): Promise<ModerationResult> =>
      transaction(strapi, async () => {
        const user = await userRow(userId);
        const changed = Boolean(user.purePhoneNumber);
        if (changed) await writeUser(userId, { phoneNumber: null, purePhoneNumber: null, phoneCountryCode: null, phoneVerifiedAt: null });
        return { changed, details: { countryCode: changed ? user.phoneCountryCode : null } };
      }),

    /**
     * Deletes one identity of the user: the next login from that app then finds no identity and makes or links an
     * account by the usual rules. So that it does not link straight back, the user also lets go of what would link it:
     * its unionid when no identity it keeps carries it, and the openid 0.0.5/1.0 kept on it when it is this one.
     */
    detachIdentity: (userId: number, identityId: number): Promise<ModerationResult> =>
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
        return { changed: true, details: { identityId: identity.id, appId: identity.appId, unionidReleased: releaseUnionid } };
      }),

    /** users-permissions' `blocked`: a blocked user's logins (WeChat and others) are refused. */
    setBlocked: (userId: number, blocked: boolean): Promise<ModerationResult> =>
      transaction(strapi, async () => {
        const user = await userRow(userId);
        const changed = Boolean(user.blocked) !== blocked;
        if (changed) await writeUser(userId, { blocked });
        return { changed, details: {} };
      }),
  };
};
