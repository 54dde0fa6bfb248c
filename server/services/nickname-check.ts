import { errors } from '@strapi/utils';
import { pluginConfig, query } from '../strapi';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { httpError } from '../utils/http-error';
import { IDENTITY_UID } from '../utils/plugin-id';

const { ValidationError } = errors;

/** What the client gets when WeChat judges a nickname risky: a message it may show the user as it is. */
export const RISKY_NICKNAME_MESSAGE = 'This nickname cannot be used: please choose another one';
export const RISKY_NICKNAME_MESSAGE_ZH = '该昵称无法使用，请换一个';
/** When WeChat gave no verdict on it: the nickname was not saved. */
export const UNCHECKED_NICKNAME_MESSAGE = 'WeChat could not check the nickname right now, so it was not saved: try again later';
export const UNCHECKED_NICKNAME_MESSAGE_ZH = '微信暂时无法检测该昵称，昵称未保存，请稍后再试';

interface IdentityRow {
  appId: string;
  openid: string;
}

/**
 * Content security for nicknames (profile.contentSecurity): WeChat's msgSecCheck v2, scene 1
 * (profile), with the user's openid in the app the request names, else in the app of their most
 * recent login. pass → accepted; review → accepted and logged; risky → 422; no verdict (quota 45009,
 * busy -1, timeout, 5xx, a refused openid, any other failure) → 503: an unchecked nickname is never
 * stored, the previous one stays. Logs carry the user id, the app and WeChat's verdict or errcode:
 * never the nickname or the openid.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  /** The identity whose openid WeChat checks the text against. */
  async function identityFor(userId: number, appId?: string): Promise<IdentityRow> {
    const { apps } = await getService(strapi, 'credentials').apps();
    const identities = await query<IdentityRow>(strapi, IDENTITY_UID).findMany({
      where: { user: { id: userId } },
      select: ['appId', 'openid'],
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
    });
    const configured = (id: string) => apps.find((app) => app.appId.toLowerCase() === id.toLowerCase());
    if (appId) {
      const app = configured(appId);
      if (!app) throw new ValidationError(`appId ${appId} is not one of the mini programs configured on this server`, { appId, reason: 'unknown_app' });
      const identity = identities.find((row) => row.appId.toLowerCase() === app.appId.toLowerCase());
      if (identity) return identity;
      throw new ValidationError(`Log in with WeChat from the mini program ${app.appId} first: this account has no WeChat identity in it`, {
        appId: app.appId,
        reason: 'no_identity',
      });
    }
    const latest = identities.find((row) => configured(row.appId));
    if (latest) return latest;
    throw new ValidationError('Log in with WeChat first: nicknames are checked by WeChat with the WeChat identity of the account', {
      reason: 'no_identity',
    });
  }

  /** WeChat gave no verdict: the nickname is refused, whatever the reason (an unchecked text is never stored). */
  function unchecked(userId: number, appId: string, error: unknown): never {
    const { status, details } = (error ?? {}) as { status?: unknown; details?: { errcode?: unknown; reason?: unknown } };
    const errcode = typeof details?.errcode === 'number' ? ` errcode ${details.errcode}` : '';
    const reason = typeof details?.reason === 'string' ? ` ${details.reason}` : '';
    const what = `${typeof status === 'number' ? status : 'error'}${errcode}${reason}`;
    strapi.log.warn(`[wechat-auth] profile: WeChat could not check the nickname of user #${userId} (${appId}: ${what}): refused, not stored`);
    throw httpError(503, UNCHECKED_NICKNAME_MESSAGE, { reason: 'content_security_unavailable', messageZh: UNCHECKED_NICKNAME_MESSAGE_ZH });
  }

  return {
    /** Resolves when the nickname may be stored; throws (422, 400, 503) when it may not. */
    async check({ userId, appId, nickname }: { userId: number; appId?: string; nickname: string }): Promise<void> {
      if (!pluginConfig(strapi, 'profile').contentSecurity) return;
      const identity = await identityFor(userId, appId);
      let verdict: { suggest: string; label: number };
      try {
        verdict = await getService(strapi, 'wechat').msgSecCheck({ appId: identity.appId, openid: identity.openid, content: nickname, scene: 1 });
      } catch (error) {
        return unchecked(userId, identity.appId, error);
      }
      if (verdict.suggest === 'risky') {
        strapi.log.info(
          `[wechat-auth] profile: a nickname of user #${userId} was refused by WeChat's content security (${identity.appId}, label ${verdict.label})`
        );
        throw httpError(422, RISKY_NICKNAME_MESSAGE, {
          field: 'nickName',
          reason: 'risky_content',
          label: verdict.label,
          messageZh: RISKY_NICKNAME_MESSAGE_ZH,
        });
      }
      if (verdict.suggest === 'review') {
        strapi.log.info(
          `[wechat-auth] profile: the nickname of user #${userId} was accepted; WeChat's content security suggests a human review (${identity.appId}, label ${verdict.label})`
        );
      }
    },
  };
};
