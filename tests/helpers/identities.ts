import type { Untyped } from './test-app';

/** Reading what the plugin stored, for assertions: the user behind an openid, through its identity. */
const IDENTITY_UID = 'plugin::strapi-wechat-miniprogram-auth.identity';
const USER_UID = 'plugin::users-permissions.user';

export interface StoredIdentity {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  sessionKey: string | null;
  user: { id: number } | null;
}

export async function identityFor(strapi: Untyped, openid: string): Promise<StoredIdentity | null> {
  return strapi.db.query(IDENTITY_UID).findOne({ where: { openid }, populate: ['user'] });
}

/** The user (with its role) whose identity has this openid, and that identity; null when there is none. */
export async function userByOpenid(strapi: Untyped, openid: string): Promise<(Record<string, Untyped> & { identity: StoredIdentity }) | null> {
  const identity = await identityFor(strapi, openid);
  if (!identity?.user) return null;
  const user = await strapi.db.query(USER_UID).findOne({ where: { id: identity.user.id }, populate: ['role'] });
  return user && { ...user, identity };
}

export const countIdentities = (strapi: Untyped, where: Record<string, unknown> = {}): Promise<number> => strapi.db.query(IDENTITY_UID).count({ where });
