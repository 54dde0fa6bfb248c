import { errors } from '@strapi/utils';
import type { ProfileUpdateRequest } from '../controllers/validation/profile';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { pluginConfig, query, transaction, type MediaFile, type MediaFormat } from '../strapi';
import type { Strapi, WeChatUserInfo } from '../types';
import { getService } from '../utils/get-service';
import { maskPhoneNumber } from '../utils/phone-mask';
import { IDENTITY_UID, USER_UID } from '../utils/plugin-id';

const { ApplicationError } = errors;

/** Where a profile value comes from: set through PUT /profile, or the last login's unverified userInfo (never while content security is on). */
export type ProfileSource = 'profile' | 'login';

export interface AvatarFormatView {
  url: string;
  width: number | null;
  height: number | null;
  mime: string | null;
  /** Kilobytes, as the Media Library counts them. */
  size: number | null;
}

export interface AvatarView extends AvatarFormatView {
  /** The Media Library's sizes of the image (thumbnail, small, medium, large: those smaller than it); {} for a login URL. */
  formats: Record<string, AvatarFormatView>;
}

/** GET /api/strapi-wechat-miniprogram-auth/profile (and the answer of PUT). */
export interface ProfileView {
  nickName: string | null;
  nickNameSource: ProfileSource | null;
  avatar: AvatarView | null;
  avatarSource: ProfileSource | null;
  phone: { bound: false } | { bound: true; maskedNumber: string; countryCode: string | null; verifiedAt: string | null };
  apps: Array<{ appId: string; name: string | null; firstLoginAt: string | null; lastLoginAt: string | null }>;
}

interface UserRow {
  id: number;
  wechatNickname: string | null;
  wechatUserInfo: WeChatUserInfo | null;
  wechatAvatar: MediaFile | null;
  purePhoneNumber: string | null;
  phoneCountryCode: string | null;
  phoneVerifiedAt: string | Date | null;
}

interface IdentityRow {
  appId: string;
  createdAt: string | Date | null;
  updatedAt: string | Date | null;
}

const iso = (value: string | Date | null | undefined) => (value ? new Date(value).toISOString() : null);
const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);
const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);

function formatView(format: MediaFormat | MediaFile): AvatarFormatView {
  return {
    url: format.url,
    width: numberOrNull(format.width),
    height: numberOrNull(format.height),
    mime: stringOrNull(format.mime),
    size: numberOrNull(format.size),
  };
}

/** `fromLogin`: whether the login's userInfo (unverified, never checked) may stand in for what PUT did not set. */
function avatarOf(user: UserRow, fromLogin: boolean): Pick<ProfileView, 'avatar' | 'avatarSource'> {
  const file = user.wechatAvatar;
  if (file?.url) {
    const formats = Object.fromEntries(Object.entries(file.formats ?? {}).map(([key, format]) => [key, formatView(format)]));
    return { avatar: { ...formatView(file), formats }, avatarSource: 'profile' };
  }
  if (!fromLogin) return { avatar: null, avatarSource: null };
  const url = user.wechatUserInfo?.avatarUrl;
  if (typeof url === 'string' && /^https?:\/\//.test(url)) {
    return { avatar: { url, width: null, height: null, mime: null, size: null, formats: {} }, avatarSource: 'login' };
  }
  return { avatar: null, avatarSource: null };
}

function nicknameOf(user: UserRow, fromLogin: boolean): Pick<ProfileView, 'nickName' | 'nickNameSource'> {
  if (user.wechatNickname) return { nickName: user.wechatNickname, nickNameSource: 'profile' };
  const login = fromLogin ? user.wechatUserInfo?.nickName : undefined;
  if (typeof login === 'string' && login) return { nickName: login, nickNameSource: 'login' };
  return { nickName: null, nickNameSource: null };
}

/**
 * The user's profile: what they set through PUT /profile (nickname, avatar in the Media Library),
 * falling back to the login's userInfo unless content security is on (that text was never checked),
 * their phone (masked) and the apps they logged in from.
 * The answer is built field by field: nothing private (session keys, openids, the full number) is in it.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const users = () => query<UserRow>(strapi, USER_UID);

  async function view(userId: number): Promise<ProfileView> {
    const user = await users().findOne({
      where: { id: userId },
      select: ['id', 'wechatNickname', 'wechatUserInfo', 'purePhoneNumber', 'phoneCountryCode', 'phoneVerifiedAt'],
      populate: { wechatAvatar: true },
    });
    if (!user) throw new ApplicationError('This account no longer exists');
    const identities = await query<IdentityRow>(strapi, IDENTITY_UID).findMany({
      where: { user: { id: userId } },
      select: ['appId', 'createdAt', 'updatedAt'],
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const { apps } = await getService(strapi, 'credentials').apps();
    const nameOf = (appId: string) => apps.find((app) => app.appId.toLowerCase() === appId.toLowerCase())?.name ?? null;
    const fromLogin = !pluginConfig(strapi, 'profile').contentSecurity;
    return {
      ...nicknameOf(user, fromLogin),
      ...avatarOf(user, fromLogin),
      phone: user.purePhoneNumber
        ? { bound: true, maskedNumber: maskPhoneNumber(user.purePhoneNumber), countryCode: user.phoneCountryCode, verifiedAt: iso(user.phoneVerifiedAt) }
        : { bound: false },
      apps: identities.map((identity) => ({
        appId: identity.appId,
        name: nameOf(identity.appId),
        firstLoginAt: iso(identity.createdAt),
        lastLoginAt: iso(identity.updatedAt),
      })),
    };
  }

  /**
   * Writes the nickname and links the new avatar in one transaction that starts by locking the
   * user's row (an UPDATE): a simultaneous update of the same profile waits for it, then finds this
   * avatar as the one it replaces. So every replaced file is deleted and none is left linked to nobody.
   * Answers the avatar it replaced.
   */
  async function save(userId: number, nickname: string | undefined, avatar: MediaFile | undefined): Promise<number | null> {
    return transaction(strapi, () =>
      asIdentityWrite(async () => {
        const data: Record<string, unknown> = { updatedAt: new Date() };
        if (nickname !== undefined) data.wechatNickname = nickname;
        const { count } = await users().updateMany({ where: { id: userId }, data });
        if (!count) throw new ApplicationError('This account no longer exists');
        if (!avatar) return null;
        const current = await users().findOne({ where: { id: userId }, select: ['id'], populate: { wechatAvatar: { select: ['id'] } } });
        await users().update({ where: { id: userId }, data: { wechatAvatar: avatar.id } });
        return current?.wechatAvatar?.id ?? null;
      })
    );
  }

  return {
    view,

    /**
     * PUT /profile: the nickname is checked first (content security, when on), then the avatar's
     * content; only then is the image stored and linked. A refused request stores nothing.
     */
    async update(userId: number, request: ProfileUpdateRequest): Promise<ProfileView> {
      const { nickName, appId, avatar } = request;
      if (nickName !== undefined) await getService(strapi, 'nicknameCheck').check({ userId, appId, nickname: nickName });
      const avatars = getService(strapi, 'avatar');
      const image = avatar ? await avatars.inspect(avatar) : null;
      const stored = avatar && image ? await avatars.store(userId, avatar, image) : undefined;
      let replaced: number | null;
      try {
        replaced = await save(userId, nickName, stored);
      } catch (error) {
        if (stored) await avatars.discard(stored.id, userId);
        throw error;
      }
      if (replaced !== null && replaced !== stored?.id) await avatars.discard(replaced, userId);
      strapi.log.info(
        `[wechat-auth] profile of user #${userId} updated (${[nickName !== undefined && 'nickname', stored && 'avatar'].filter(Boolean).join(', ')})`
      );
      return view(userId);
    },
  };
};
