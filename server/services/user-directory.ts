import { modelMetadata, query, type MediaFile } from '../strapi';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { maskPhoneNumber } from '../utils/phone-mask';
import { isDatabaseId } from '../utils/database-id';
import { IDENTITY_UID, USER_UID } from '../utils/plugin-id';

import type { IdentityCardEntry, MatchKey, UserCard, UserMatch } from './wechat-users-view';

export type { IdentityCardEntry, MatchKey, UserCard, UserMatch };

interface UserRow {
  id: number;
  documentId?: string;
  username: string | null;
  email: string | null;
  provider: string | null;
  blocked: boolean | null;
  createdAt: string | Date | null;
  unionid: string | null;
  wechatNickname: string | null;
  wechatUserInfo: Record<string, unknown> | null;
  wechatAvatar?: MediaFile | null;
  purePhoneNumber: string | null;
  phoneCountryCode: string | null;
  phoneVerifiedAt: string | Date | null;
  wechatIdentities?: { appId: string }[];
}

interface IdentityRow {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  createdAt: string | Date | null;
  updatedAt: string | Date | null;
  user?: { id: number } | null;
}

/** How many users a search answers at most (the admin narrows the term for more). */
export const SEARCH_LIMIT = 20;

const iso = (value: string | Date | null | undefined) => (value ? new Date(value).toISOString() : null);
const textOf = (value: unknown) => (typeof value === 'string' && value ? value : null);
/** A phone number as typed: spaces and hyphens are not part of it. */
const phoneDigits = (term: string) => term.replace(/[\s-]/g, '');

/**
 * Finds WeChat users for the admin panel and shows one of them: by openid or unionid (exact), phone number (the
 * exact number; shown masked), nickname (contains), or the Strapi user (id, or username/email containing the term).
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const users = () => query<UserRow>(strapi, USER_UID);
  const identities = () => query<IdentityRow>(strapi, IDENTITY_UID);
  const hasDocumentId = () => Boolean(modelMetadata(strapi, USER_UID).attributes.documentId);

  async function appNames(): Promise<(appId: string) => string | null> {
    const { apps } = await getService(strapi, 'credentials').apps();
    return (appId) => apps.find((app) => app.appId.toLowerCase() === appId.toLowerCase())?.name ?? null;
  }

  /** The ids of the users matching `term`, each with what it matched by; `full`: a lookup hit its limit (there may be more). */
  async function matchingIds(term: string): Promise<{ found: Map<number, Set<MatchKey>>; full: boolean }> {
    const found = new Map<number, Set<MatchKey>>();
    const add = (key: MatchKey, ids: Array<number | null | undefined>) => {
      for (const id of ids) if (typeof id === 'number') found.set(id, (found.get(id) ?? new Set()).add(key));
    };
    const userIdsOf = (rows: IdentityRow[]) => rows.map((row) => row.user?.id);
    const idsOf = (rows: Array<{ id: number }>) => rows.map((row) => row.id);
    const byIdentity = (where: Record<string, unknown>) =>
      identities().findMany({ where, select: ['id'], populate: { user: { select: ['id'] } }, limit: SEARCH_LIMIT });
    const byUser = (where: Record<string, unknown>) => users().findMany({ where, select: ['id'], limit: SEARCH_LIMIT, orderBy: { id: 'asc' } });
    const digits = phoneDigits(term);
    const [openid, unionid, usersByUnionid, phone, nickname, username, email, byId] = await Promise.all([
      byIdentity({ openid: term }),
      byIdentity({ unionid: term }),
      byUser({ unionid: term }),
      /^\+?\d{5,20}$/.test(digits) ? byUser({ $or: [{ phoneNumber: digits }, { purePhoneNumber: digits }] }) : [],
      byUser({ wechatNickname: { $containsi: term } }),
      byUser({ username: { $containsi: term } }),
      byUser({ email: { $containsi: term } }),
      isDatabaseId(term) ? byUser({ id: Number(term) }) : [],
    ]);
    add('openid', userIdsOf(openid));
    add('unionid', [...userIdsOf(unionid), ...idsOf(usersByUnionid)]);
    add('phone', idsOf(phone));
    add('nickname', idsOf(nickname));
    add('userId', idsOf(byId));
    add('username', idsOf(username));
    add('email', idsOf(email));
    const full = [openid, unionid, usersByUnionid, phone, nickname, username, email].some((rows) => rows.length >= SEARCH_LIMIT);
    return { found, full };
  }

  return {
    async search(term: string): Promise<{ results: UserMatch[]; truncated: boolean }> {
      const { found: matches, full } = await matchingIds(term);
      // Exact keys (openid, unionid, phone, id) first, then by id.
      const exact = (keys: Set<MatchKey>) => ['openid', 'unionid', 'phone', 'userId'].some((key) => keys.has(key as MatchKey));
      const ids = [...matches.keys()].sort((a, b) => Number(exact(matches.get(b)!)) - Number(exact(matches.get(a)!)) || a - b);
      const shown = ids.slice(0, SEARCH_LIMIT);
      if (!shown.length) return { results: [], truncated: false };
      const rows = await users().findMany({
        where: { id: { $in: shown } },
        select: ['id', 'username', 'email', 'blocked', 'wechatNickname', 'purePhoneNumber'],
        populate: { wechatIdentities: { select: ['appId'] } },
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      const results = shown.flatMap((id) => {
        const row = byId.get(id);
        if (!row) return [];
        return [
          {
            id,
            username: textOf(row.username),
            email: textOf(row.email),
            nickname: textOf(row.wechatNickname),
            maskedPhone: row.purePhoneNumber ? maskPhoneNumber(row.purePhoneNumber) : null,
            blocked: Boolean(row.blocked),
            appIds: [...new Set((row.wechatIdentities ?? []).map((identity) => identity.appId))],
            matchedBy: [...matches.get(id)!],
          },
        ];
      });
      return { results, truncated: full || ids.length > SEARCH_LIMIT };
    },

    async card(userId: number): Promise<UserCard | null> {
      const user = await users().findOne({
        where: { id: userId },
        select: [
          'id',
          ...(hasDocumentId() ? ['documentId'] : []),
          'username',
          'email',
          'provider',
          'blocked',
          'createdAt',
          'unionid',
          'wechatNickname',
          'wechatUserInfo',
          'purePhoneNumber',
          'phoneCountryCode',
          'phoneVerifiedAt',
        ],
        populate: { wechatAvatar: true },
      });
      if (!user) return null;
      const [rows, nameOf] = await Promise.all([
        identities().findMany({
          where: { user: { id: userId } },
          select: ['id', 'appId', 'openid', 'unionid', 'createdAt', 'updatedAt'],
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        }),
        appNames(),
      ]);
      const avatar = user.wechatAvatar;
      const loginAvatarUrl = textOf(user.wechatUserInfo?.avatarUrl);
      return {
        id: user.id,
        documentId: user.documentId ?? null,
        username: textOf(user.username),
        email: textOf(user.email),
        provider: textOf(user.provider),
        blocked: Boolean(user.blocked),
        createdAt: iso(user.createdAt),
        unionid: textOf(user.unionid),
        nickname: textOf(user.wechatNickname),
        loginNickname: textOf(user.wechatUserInfo?.nickName),
        avatar: avatar?.url ? { id: avatar.id, url: avatar.url, thumbnailUrl: avatar.formats?.thumbnail?.url ?? null } : null,
        loginAvatarUrl: loginAvatarUrl && /^https?:\/\//.test(loginAvatarUrl) ? loginAvatarUrl : null,
        phone: user.purePhoneNumber
          ? { maskedNumber: maskPhoneNumber(user.purePhoneNumber), countryCode: textOf(user.phoneCountryCode), verifiedAt: iso(user.phoneVerifiedAt) }
          : null,
        identities: rows.map((row) => ({
          id: row.id,
          appId: row.appId,
          appName: nameOf(row.appId),
          openid: row.openid,
          unionid: textOf(row.unionid),
          firstLoginAt: iso(row.createdAt),
          lastLoginAt: iso(row.updatedAt),
        })),
      };
    },
  };
};
