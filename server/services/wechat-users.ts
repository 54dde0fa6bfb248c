import { errors } from '@strapi/utils';
import { httpError } from '../utils/http-error';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { PROVIDER, ROLE_UID, USER_UID } from '../utils/plugin-id';
import type { Strapi, WeChatUser, WeChatUserInfo } from '../types';
import type { Code2SessionResult } from './wechat-client';

const { ApplicationError } = errors;

interface AdvancedSettings {
  allow_register?: boolean;
  default_role?: string;
}

/**
 * How a WeChat user satisfies the required users-permissions fields: a username and an email
 * derived from the openid. `.invalid` is a reserved TLD (RFC 2606), so no mail is ever sent.
 */
export function placeholderIdentity(openid: string) {
  return { username: `wechat_${openid}`, email: `${openid.toLowerCase()}@wechat.invalid` };
}

/** Finds or creates the users-permissions user behind an openid. */
export default ({ strapi }: { strapi: Strapi }) => {
  const users = () => strapi.db!.query(USER_UID as never);

  const findByOpenid = (openid: string) => users().findOne({ where: { openid } }) as Promise<WeChatUser | null>;

  async function refresh(user: WeChatUser, session: Code2SessionResult, userInfo?: WeChatUserInfo): Promise<WeChatUser> {
    if (user.blocked) throw httpError(403, 'Your account has been blocked by an administrator', { reason: 'blocked' });
    const data: Record<string, unknown> = {};
    if (user.wechatSessionKey !== session.sessionKey) data.wechatSessionKey = session.sessionKey;
    if (session.unionid && user.unionid !== session.unionid) data.unionid = session.unionid;
    if (userInfo) data.wechatUserInfo = userInfo;
    // Accounts created by the original plugin have no username/email; the Content Manager needs them.
    if (!user.username || !user.email) {
      const placeholder = placeholderIdentity(session.openid);
      if (!user.username) data.username = placeholder.username;
      if (!user.email) data.email = placeholder.email;
    }
    if (Object.keys(data).length === 0) return user;
    // One UPDATE statement. db.query().update() would wrap it in a SELECT before, an empty
    // relations transaction and a SELECT after: five round trips on every returning login.
    // (updateMany's own timestamp hook only handles arrays, hence updatedAt here.)
    const changes = { ...data, updatedAt: new Date() };
    const { count } = (await asIdentityWrite(() => users().updateMany({ where: { id: user.id }, data: changes }))) as {
      count: number;
    };
    if (!count) throw new ApplicationError('The account was deleted during this login: log in again');
    return { ...user, ...changes };
  }

  async function create(session: Code2SessionResult, userInfo?: WeChatUserInfo): Promise<WeChatUser> {
    const advanced = ((await strapi.store!({ type: 'plugin', name: 'users-permissions', key: 'advanced' }).get({})) ??
      {}) as AdvancedSettings;
    if (!advanced.allow_register) {
      throw httpError(403, 'New accounts are disabled: sign-ups are turned off in Users & Permissions settings', {
        reason: 'registration_disabled',
      });
    }
    const role = (await strapi.db!.query(ROLE_UID as never).findOne({
      where: { type: advanced.default_role ?? 'authenticated' },
    })) as { id: number } | null;
    if (!role) throw new ApplicationError('The default role configured in Users & Permissions does not exist');

    // One transaction: the user row and its role link commit together (one commit instead of
    // three autocommits, each a WAL flush or, on SQLite, an fsync).
    const created = await strapi.db!.transaction(() =>
      asIdentityWrite(() =>
        users().create({
          data: {
            ...placeholderIdentity(session.openid),
            provider: PROVIDER,
            confirmed: true,
            blocked: false,
            role: role.id,
            openid: session.openid,
            unionid: session.unionid ?? null,
            wechatSessionKey: session.sessionKey,
            wechatUserInfo: userInfo ?? null,
          },
        })
      )
    );
    return created as WeChatUser;
  }

  return {
    findByOpenid,

    async upsert(session: Code2SessionResult, userInfo?: WeChatUserInfo): Promise<WeChatUser> {
      const existing = await findByOpenid(session.openid);
      if (existing) return refresh(existing, session, userInfo);
      try {
        return await create(session, userInfo);
      } catch (error) {
        // Two first logins for one openid raced and the unique index on openid refused the loser.
        // Whatever the driver's error code, the winner's row is now there.
        const winner = await findByOpenid(session.openid);
        if (!winner) throw error;
        return refresh(winner, session, userInfo);
      }
    },
  };
};
