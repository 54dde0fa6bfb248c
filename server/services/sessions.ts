import { errors } from '@strapi/utils';
import { validateEncryptedDataBody } from '../controllers/validation/encrypted-data';
import { query } from '../strapi';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { httpError } from '../utils/http-error';
import { IDENTITY_UID } from '../utils/plugin-id';
import { checkWatermark, decryptOpenData, OpenDataDecryptError, WATERMARK_MAX_AGE_MS } from '../wechat/open-data';

const { ApplicationError, ValidationError } = errors;

/** Why a stored session key cannot be used. */
export type SessionKeyProblem = 'no_identity' | 'no_session_key';

/** checkSessionKey's answer: `expired` when WeChat says the key is no longer the user's current one. */
export type SessionKeyCheck = { valid: true; appId: string } | { valid: false; appId: string; reason: SessionKeyProblem | 'expired' };

type StoredSession = { openid: string; sessionKey: string } | { problem: SessionKeyProblem };

const RELOGIN = 'call wx.login(), log in again';
/** A session_key as code2session answers it: 16 bytes in base64. */
const SESSION_KEY_SHAPE = /^[A-Za-z0-9+/]{22}==$/;

function assertUserId(userId: unknown): asserts userId is number {
  if (typeof userId !== 'number' || !Number.isSafeInteger(userId) || userId <= 0) throw new ValidationError('userId must be the id of a user', {});
}

/**
 * The session key of a user's latest login in an app, put to use (docs/encrypted-data.md): decrypting
 * the mini program's encrypted open data with it, and asking WeChat whether it is still current.
 * `strapi.plugin('strapi-wechat-miniprogram-auth').service('sessions')`.
 *
 * The key is read from the user's identity row through the `secrets` service (it may be stored
 * encrypted) and never leaves this module: not in an answer, an error or a log line.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  /** The openid and plaintext session key of the user's latest login in `appId`. */
  async function storedSession(userId: number, appId: string): Promise<StoredSession> {
    const [identity] = await query<{ id: number; openid: string; sessionKey: string | null }>(strapi, IDENTITY_UID).findMany({
      where: { appId, user: { id: userId } },
      select: ['id', 'openid', 'sessionKey'],
      // One identity per user and app in practice; should there be more, the latest login's.
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      limit: 1,
    });
    if (!identity) return { problem: 'no_identity' };
    // An unreadable key: the next login stores one sealed with the current encryption key, so the user can recover alone.
    const sessionKey = getService(strapi, 'secrets').openOrNull(identity.sessionKey, (error) =>
      strapi.log.warn(`[wechat-auth] the session key of identity #${identity.id} (${appId}) cannot be decrypted (${error.reason}): the user must log in again`)
    );
    return sessionKey && SESSION_KEY_SHAPE.test(sessionKey) ? { openid: identity.openid, sessionKey } : { problem: 'no_session_key' };
  }

  function problemError(problem: SessionKeyProblem, appId: string): Error {
    return problem === 'no_identity'
      ? httpError(409, `Log in with WeChat from the mini program ${appId} first: this account has no WeChat session in it`, {
          appId,
          reason: 'no_identity',
        })
      : sessionExpired(appId);
  }

  /** One answer for every failure to decrypt: nothing in it tells a wrong key from bad padding or garbage. */
  const sessionExpired = (appId: string) =>
    httpError(409, `The data could not be decrypted with this account's WeChat session: ${RELOGIN}, then get the data again and resend it`, {
      appId,
      reason: 'session_expired',
    });

  return {
    /**
     * Decrypts the mini program's encrypted open data (wx.getWeRunData, wx.getShareInfo,
     * wx.getGroupEnterInfo...) with the session key of the user's latest login in `appId` (the
     * default app without it): the decrypted object, watermark included. 400 for malformed input, an
     * unknown app, data not made for this app or not recent; 409 (log in again) when the user has no
     * session in that app or the data does not decrypt with it.
     */
    async decrypt(input: { userId: number; appId?: string; encryptedData: string; iv: string }): Promise<Record<string, unknown>> {
      const { userId, ...body } = input ?? ({} as typeof input);
      assertUserId(userId);
      const { encryptedData, iv, appId } = await validateEncryptedDataBody(body);
      const app = await getService(strapi, 'credentials').get(appId);
      const stored = await storedSession(userId, app.appId);
      if ('problem' in stored) {
        strapi.log.info(`[wechat-auth] encrypted data of user #${userId} not decrypted (${app.appId}): ${stored.problem}`);
        throw problemError(stored.problem, app.appId);
      }

      let data: unknown;
      try {
        data = decryptOpenData({ sessionKey: stored.sessionKey, encryptedData, iv });
      } catch (error) {
        if (!(error instanceof OpenDataDecryptError)) throw error;
        strapi.log.info(`[wechat-auth] encrypted data of user #${userId} not decrypted (${app.appId}): session key outdated or data not encrypted with it`);
        throw sessionExpired(app.appId);
      }

      const verdict = checkWatermark(data, app.appId, Date.now());
      if (verdict === 'wrong-app') {
        throw new ApplicationError(`The encrypted data was not made for the mini program ${app.appId} (its watermark names another AppID)`, {
          appId: app.appId,
          reason: 'wrong_app',
        });
      }
      if (verdict === 'stale') {
        throw new ApplicationError(
          `The encrypted data is not recent (its watermark is more than ${WATERMARK_MAX_AGE_MS / 60_000} minutes old, or ahead of the server's clock): get it again and send it right away`,
          { appId: app.appId, reason: 'stale_data' }
        );
      }
      // checkWatermark accepted it: an object.
      return data as Record<string, unknown>;
    },

    /**
     * Whether the session key stored at the user's latest login in `appId` (the default app without it)
     * is still the user's current one with WeChat (checksession). `valid: false` with a reason: no
     * identity in that app, no usable key stored, or `expired` (WeChat answered 87009: the user logged
     * in again elsewhere, or the key timed out). WeChat failures are errors (502/503/504), as for the
     * other WeChat calls.
     */
    async checkSessionKey(input: { userId: number; appId?: string }): Promise<SessionKeyCheck> {
      const { userId, appId } = input ?? ({} as typeof input);
      assertUserId(userId);
      const app = await getService(strapi, 'credentials').get(appId);
      const stored = await storedSession(userId, app.appId);
      if ('problem' in stored) return { valid: false, appId: app.appId, reason: stored.problem };
      const valid = await getService(strapi, 'wechat').checkSessionKey({ appId: app.appId, openid: stored.openid, sessionKey: stored.sessionKey });
      return valid ? { valid: true, appId: app.appId } : { valid: false, appId: app.appId, reason: 'expired' };
    },
  };
};
