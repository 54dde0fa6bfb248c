// What the WeChat users API answers (server/services/user-directory.ts, audit-log.ts), shared with the admin panel.

/** What a search term matched a user by. */
export type MatchKey = 'openid' | 'unionid' | 'phone' | 'nickname' | 'userId' | 'username' | 'email';

/** One user found by a search: enough to pick the right one; the card has the rest. */
export interface UserMatch {
  id: number;
  username: string | null;
  email: string | null;
  nickname: string | null;
  maskedPhone: string | null;
  blocked: boolean;
  /** The AppIDs the user has an identity in. */
  appIds: string[];
  matchedBy: MatchKey[];
}

export interface IdentityCardEntry {
  id: number;
  appId: string;
  /** The app's name in the app list, null when it has none or is no longer in the list. */
  appName: string | null;
  openid: string;
  unionid: string | null;
  firstLoginAt: string | null;
  /** The latest login that renewed the session key (a login with an unchanged key writes nothing). */
  lastLoginAt: string | null;
}

/** One person as the WeChat users view shows them: never a session key, a secret or the full phone number. */
export interface UserCard {
  id: number;
  /** Strapi 5's document id (the Content Manager's links use it), null on Strapi 4. */
  documentId: string | null;
  username: string | null;
  email: string | null;
  provider: string | null;
  blocked: boolean;
  createdAt: string | null;
  unionid: string | null;
  /** Set through PUT /profile (checked). */
  nickname: string | null;
  /** What the latest login's userInfo said (never checked). */
  loginNickname: string | null;
  avatar: { id: number; url: string; thumbnailUrl: string | null } | null;
  loginAvatarUrl: string | null;
  phone: { maskedNumber: string; countryCode: string | null; verifiedAt: string | null } | null;
  identities: IdentityCardEntry[];
}

/** The actions of the WeChat users view, as the audit log names them. */
export type AuditAction = 'clear-nickname' | 'clear-avatar' | 'unbind-phone' | 'detach-identity' | 'block' | 'unblock';

/** Ids, app ids and flags only: never a secret, an openid, a unionid or a phone number. */
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  id: number;
  action: AuditAction;
  adminUserId: number | null;
  adminEmail: string | null;
  targetUserId: number;
  details: AuditDetails;
  createdAt: string;
}

/** GET /users/:id, and the `user` of every action's answer. */
export type UserView = UserCard & { audit: AuditEntry[] };
