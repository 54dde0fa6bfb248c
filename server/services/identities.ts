import { isDeepStrictEqual } from 'util';
import { errors } from '@strapi/utils';
import { httpError } from '../utils/http-error';
import { getService } from '../utils/get-service';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { IDENTITY_UID, PROVIDER, USER_UID } from '../utils/plugin-id';
import { dialectUsesReturning, knex, modelMetadata, pluginConfig, query, transaction } from '../strapi';
import { countIdentitiesByApp, createIdentitySql, type IdentityLookup, type IdentitySql } from '../strapi/shortcuts/identity-sql';
import { createGroupCommit, type GroupCommit } from '../utils/group-commit';
import type { Strapi, WeChatUser, WeChatUserInfo } from '../types';

const { ApplicationError } = errors;

/** How often a login re-reads after losing a race to a simultaneous first login of the same person. */
const RACE_ATTEMPTS = 5;

/** Most session keys (or profiles) one UPDATE stores (each size is compiled once). */
const SESSION_KEY_BATCH = 64;

/** Whether the profile a login sent is the one stored, compared as data (key order and JSON round trip aside). */
export function sameUserInfo(stored: unknown, sent: WeChatUserInfo): boolean {
  return isDeepStrictEqual(stored, JSON.parse(JSON.stringify(sent)));
}

/**
 * How a WeChat user satisfies the required users-permissions fields: a username and an email
 * derived from the openid. `.invalid` is a reserved TLD (RFC 2606), so no mail is ever sent.
 */
export function placeholderIdentity(openid: string) {
  return { username: `wechat_${openid}`, email: `${openid.toLowerCase()}@wechat.invalid` };
}

/**
 * What WeChat said about the person at a login: the openid, the unionid when given, and for a mini
 * program the session key (the other app types have none).
 */
export interface WeChatSession {
  openid: string;
  unionid?: string;
  sessionKey?: string;
}

/** A blocked user logs in nowhere: the 403 every login kind answers. */
export function assertNotBlocked(user: Pick<WeChatUser, 'blocked'>): void {
  if (user.blocked) throw httpError(403, 'Your account has been blocked by an administrator', { reason: 'blocked' });
}

export interface LoginSubject {
  /** The app the code was issued for (its AppID as configured). */
  appId: string;
  /** Whether it is the app whose openids 0.0.5/1.0 kept on the users (the only one their accounts can belong to). */
  isLegacyApp: boolean;
  session: WeChatSession;
  userInfo?: WeChatUserInfo;
}

export interface ResolvedLogin {
  user: WeChatUser;
  /**
   * The person's first login in this app (a new identity: a new user, or another app's user linked by unionid, or
   * a new user for an identity whose user was deleted); false for an identity found, or a 0.0.5/1.0 account adopted.
   */
  isNew: boolean;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Finds or creates the users-permissions user behind a WeChat identity: by (appId, openid), then
 * by unionid across apps, then by the openid 0.0.5/1.0 kept on the user; otherwise a new user.
 * Two unique indexes settle simultaneous first logins: (app_id, openid) on identities and unionid
 * on users. The loser of a race re-reads and lands on the winner's user.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  let sql: IdentitySql | null = null;
  // Until startup has given every 0.0.5/1.0 account its identity, a new openid of the default app
  // may be such an account (server/services/upgrade.ts): then it is looked up by its legacy column.
  let legacyAccountsPending = true;
  const identitySql = () => (sql ??= createIdentitySql(() => knex(strapi), modelMetadata(strapi, IDENTITY_UID), modelMetadata(strapi, USER_UID)));
  let sessionKeyBatches: GroupCommit<number, string> | null = null;
  // Returning logins store their new session keys in batches: one UPDATE, one commit for all of them.
  const sessionKeyWrites = () => (sessionKeyBatches ??= createGroupCommit((batch) => identitySql().storeSessionKeys(batch), { maxBatch: SESSION_KEY_BATCH }));
  let userInfoBatches: GroupCommit<number, WeChatUserInfo> | null = null;
  // A changed profile goes out the same way: one UPDATE for the logins of one event-loop turn.
  const userInfoWrites = () =>
    (userInfoBatches ??= createGroupCommit((batch) => identitySql().storeUserInfos(batch as ReadonlyMap<number, Record<string, unknown>>), {
      maxBatch: SESSION_KEY_BATCH,
    }));
  const users = () => query<WeChatUser>(strapi, USER_UID);
  const identities = () => query(strapi, IDENTITY_UID);

  const secrets = () => getService(strapi, 'secrets');

  /** Whether the stored (sealed) session key is this one under the current key; an unreadable one is not. */
  function holdsSessionKey(stored: string | null, sessionKey: string): boolean {
    if (stored === null || secrets().box().needsReseal(stored)) return false;
    return secrets().openOrNull(stored) === sessionKey;
  }

  const sealedSessionKey = (session: WeChatSession) => (session.sessionKey === undefined ? null : secrets().seal(session.sessionKey));

  /** Tries to link the user by a unionid it does not hold yet; another user holding it is a conflict, not an error. */
  async function linkUnionid(user: WeChatUser, unionid: string): Promise<boolean> {
    if (user.unionid || !pluginConfig(strapi, 'linkByUnionid')) return false;
    try {
      const { count } = await asIdentityWrite(() => users().updateMany({ where: { id: user.id, unionid: null }, data: { unionid } }));
      return count > 0;
    } catch {
      const holder = await users().findOne({ where: { unionid }, select: ['id'] });
      // Never merged automatically: both accounts stay, the login stays on this one.
      strapi.log.warn(
        `[wechat-auth] a WeChat identity of user #${user.id} now carries a unionid already linked to user #${holder?.id ?? '?'}: the two accounts are kept separate (merge them by hand if they are one person)`
      );
      return false;
    }
  }

  /**
   * What a login brings to the user row itself (not the identity): the profile it sent, when it differs
   * from the stored one, and the username/email 0.0.5's accounts lack. Nothing is written when nothing
   * changed; a changed profile alone is batched with other logins' (userInfoWrites).
   */
  async function updateUser(user: WeChatUser, openid: string, userInfo?: WeChatUserInfo): Promise<WeChatUser> {
    const profileChanged = userInfo !== undefined && !sameUserInfo(user.wechatUserInfo ?? null, userInfo);
    // Accounts created by version 0.0.5 have no username/email; the Content Manager needs them.
    if (user.username && user.email) {
      if (!profileChanged) return user;
      await userInfoWrites().write(user.id, userInfo);
      return { ...user, wechatUserInfo: userInfo };
    }
    const placeholder = placeholderIdentity(user.openid ?? openid);
    const data: Record<string, unknown> = {};
    if (profileChanged) data.wechatUserInfo = userInfo;
    if (!user.username) data.username = placeholder.username;
    if (!user.email) data.email = placeholder.email;
    // One UPDATE (update() would add a SELECT before and after and a relations transaction);
    // updateMany's own timestamp hook only handles arrays, hence updatedAt here.
    const changes = { ...data, updatedAt: new Date() };
    const { count } = await users().updateMany({ where: { id: user.id }, data: changes });
    if (!count) throw new ApplicationError('The account was deleted during this login: log in again');
    return { ...user, ...changes };
  }

  async function returning(found: IdentityLookup & { user: WeChatUser }, subject: LoginSubject): Promise<WeChatUser> {
    const { identity, user } = found;
    assertNotBlocked(user);
    const { session } = subject;
    const newUnionid = session.unionid && identity.unionid !== session.unionid ? session.unionid : undefined;
    const { sessionKey } = session;
    await Promise.all([
      sessionKey === undefined || holdsSessionKey(identity.sessionKey, sessionKey) ? null : sessionKeyWrites().write(identity.id, secrets().seal(sessionKey)),
      newUnionid ? identitySql().storeUnionid(identity.id, newUnionid) : null,
    ]);
    let current = user;
    if (newUnionid && (await linkUnionid(user, newUnionid))) current = { ...current, unionid: newUnionid };
    return updateUser(current, session.openid, subject.userInfo);
  }

  /** The oldest user matching: of several accounts 0.0.5 made for one openid, the one the upgrade adopts (server/services/upgrade.ts). */
  async function findUser(where: Record<string, unknown>): Promise<WeChatUser | null> {
    return users().findOne({ where, orderBy: { id: 'asc' } });
  }

  /**
   * A new identity on an existing user (another app of the same person, or a 0.0.5/1.0 account),
   * or an identity whose user was deleted moved onto the user the person's other app now has.
   */
  async function attach(user: WeChatUser, subject: LoginSubject, orphanIdentityId?: number): Promise<WeChatUser> {
    assertNotBlocked(user);
    const { appId, session } = subject;
    const data = { appId, openid: session.openid, unionid: session.unionid ?? null, sessionKey: sealedSessionKey(session), user: user.id };
    await transaction(strapi, () =>
      asIdentityWrite(() => (orphanIdentityId ? identities().update({ where: { id: orphanIdentityId }, data }) : identities().create({ data })))
    );
    let current = user;
    if (session.unionid && (await linkUnionid(user, session.unionid))) current = { ...current, unionid: session.unionid };
    return updateUser(current, session.openid, subject.userInfo);
  }

  /** A new user and its first identity in one transaction (or, for an identity whose user was deleted, a new user for it). */
  async function create(subject: LoginSubject, orphanIdentityId?: number): Promise<WeChatUser> {
    const roleId = await getService(strapi, 'signUpSettings').roleForNewUser();
    const { appId, session, userInfo } = subject;
    const link = Boolean(session.unionid && pluginConfig(strapi, 'linkByUnionid'));
    const useReturning = dialectUsesReturning(strapi);

    return transaction(strapi, (trx) =>
      asIdentityWrite(async () => {
        const user = await users().create({
          data: {
            ...placeholderIdentity(session.openid),
            provider: PROVIDER,
            confirmed: true,
            blocked: false,
            role: roleId,
            unionid: link ? session.unionid : null,
            wechatUserInfo: userInfo ?? null,
          },
        });
        const identity = { appId, openid: session.openid, unionid: session.unionid ?? null, sessionKey: sealedSessionKey(session) };
        if (orphanIdentityId) await identities().update({ where: { id: orphanIdentityId }, data: { ...identity, user: user.id } });
        else await identitySql().insertFirstIdentity(trx, useReturning, { ...identity, userId: user.id });
        return user;
      })
    );
  }

  async function resolveOnce(subject: LoginSubject): Promise<ResolvedLogin> {
    const { appId, session } = subject;
    const found = await identitySql().find(appId, session.openid);
    if (found?.user) return { user: await returning(found as IdentityLookup & { user: WeChatUser }, subject), isNew: false };
    const orphanIdentityId = found?.identity.id;

    if (session.unionid && pluginConfig(strapi, 'linkByUnionid')) {
      const linked = await findUser({ unionid: session.unionid });
      if (linked) return { user: await attach(linked, subject, orphanIdentityId), isNew: true };
    }
    if (orphanIdentityId) return { user: await create(subject, orphanIdentityId), isNew: true };
    if (subject.isLegacyApp && legacyAccountsPending) {
      const legacy = await findUser({ openid: session.openid });
      // An account 0.0.5/1.0 made at this person's first login: they are back.
      if (legacy) return { user: await attach(legacy, subject), isNew: false };
    }
    return { user: await create(subject), isNew: true };
  }

  return {
    /** The user for this login, with `openid` set to the openid of the app that logged in, and whether it is the person's first login in that app. */
    async upsert(subject: LoginSubject): Promise<ResolvedLogin> {
      for (let attempt = 1; ; attempt++) {
        try {
          const { user, isNew } = await resolveOnce(subject);
          return { user: { ...user, openid: subject.session.openid }, isNew };
        } catch (error) {
          if (!isRaceLoss(error) || attempt >= RACE_ATTEMPTS) throw error;
          // A simultaneous first login of the same person won a unique index: read again.
          await delay(attempt * 5 + Math.random() * 10);
        }
      }
    },

    /** Every legacy account has its identity: new openids need no lookup in the legacy column. */
    legacyAccountsMigrated(): void {
      legacyAccountsPending = false;
    },

    /** Deletes the identities whose user no longer exists; how many. */
    deleteWithoutUser: () => identitySql().deleteWithoutUser(),

    countByApp: () => countIdentitiesByApp(knex(strapi), modelMetadata(strapi, IDENTITY_UID)),

    /** Checks the raw-SQL shortcut's assumptions against this Strapi's metadata (bootstrap). */
    checkShortcut(): void {
      identitySql();
    },
  };
};

/** A database refusal (unique violation, deadlock, serialization failure), as opposed to a refusal of ours. */
function isRaceLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as { status?: number }).status) return false; // an HTTP error of ours (403, 503...)
  if (error.name === 'ApplicationError' || error.name === 'ValidationError') return false;
  return true;
}
