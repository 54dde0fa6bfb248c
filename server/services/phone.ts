import { errors } from '@strapi/utils';
import { asIdentityWrite } from '../lifecycles/identity-guard';
import { query } from '../strapi';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { IDENTITY_UID, USER_UID } from '../utils/plugin-id';
import type { PhoneNumberResult } from '../wechat/wechat-client';

const { ApplicationError, ValidationError } = errors;

/** The number as WeChat's getuserphonenumber vouches for it. */
export type PhoneNumber = PhoneNumberResult;

/** What a login with `phoneCode` answers under `phone`: the login itself never fails because of it. */
export type PhoneBinding = ({ bound: true } & PhoneNumber) | { bound: false; reason: string; message: string };

/** Reasons for a failure that carries none in its details, by HTTP status. */
const REASON_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  403: 'forbidden',
  429: 'rate_limited',
  502: 'wechat_error',
  503: 'wechat_unavailable',
  504: 'wechat_timeout',
};

/** The status Strapi's error middleware gives @strapi/utils' errors (they carry none themselves). */
const STATUS_BY_ERROR_NAME: Record<string, number> = {
  ApplicationError: 400,
  ValidationError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  PolicyError: 403,
  NotFoundError: 404,
  PayloadTooLargeError: 413,
  RateLimitError: 429,
};

interface Failure {
  /** null: not an error meant for clients (its message may carry internals). */
  status: number | null;
  reason: string;
  message: string;
}

function phoneFailure(error: unknown): Failure {
  const { status, details, message, name } = (error ?? {}) as { status?: unknown; details?: { reason?: unknown }; message?: unknown; name?: unknown };
  const httpStatus = typeof status === 'number' ? status : error instanceof ApplicationError ? (STATUS_BY_ERROR_NAME[String(name)] ?? 400) : null;
  const reason = typeof details?.reason === 'string' ? details.reason : (httpStatus && REASON_BY_STATUS[httpStatus]) || 'error';
  return {
    status: httpStatus,
    reason,
    message: httpStatus !== null && typeof message === 'string' ? message : 'The phone number could not be verified',
  };
}

/**
 * 40003 (invalid openid) from getuserphonenumber, called with the openid of the user's own identity:
 * WeChat's check that the code belongs to that user failed, so the code is another user's. For the
 * mini program that is a code to get again, as for an invalid one (400 invalid_code), not a 502.
 */
function codeOfAnotherUser(error: unknown): Error | null {
  const { status, details } = (error ?? {}) as { status?: unknown; details?: { errcode?: unknown } };
  if (status !== 502 || details?.errcode !== 40003) return null;
  return new ApplicationError('The phone number code was not issued to this user in this mini program: ask the user to tap the phone number button again', {
    errcode: 40003,
    reason: 'invalid_code',
  });
}

/**
 * Phone numbers (docs/design/server-apis.md, "Phone number"): a getPhoneNumber code is exchanged
 * once (getuserphonenumber is billed: repeated only after WeChat refused the access token, when it did
 * nothing; never after a timeout or a 5xx) with the openid of the user in that app, so
 * WeChat checks the code is that user's; the number is stored on the user through the identity
 * guard. Nothing is stored when anything fails. Logs carry user ids, never the number.
 * Two accounts may verify the same number: each keeps it, they are never merged by it.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  /** The exchange and the write, for a user whose openid in `appId` is known. */
  async function verifyAndStore(userId: number, appId: string, openid: string, code: string): Promise<PhoneNumber> {
    let phone: PhoneNumber;
    try {
      phone = await getService(strapi, 'wechat').getPhoneNumber({ appId, code, openid });
    } catch (caught) {
      const error = codeOfAnotherUser(caught) ?? caught;
      const failure = phoneFailure(error);
      strapi.log.info(`[wechat-auth] phone number of user #${userId} not verified (${appId}): ${failure.status ?? 'error'} ${failure.reason}`);
      // Not an error for clients: its message is not passed on (it could quote a URL with the access token).
      if (failure.status === null) throw new Error(`[wechat-auth] getuserphonenumber failed for user #${userId}`);
      throw error;
    }
    const now = new Date();
    let count: number;
    try {
      ({ count } = await asIdentityWrite(() =>
        query(strapi, USER_UID).updateMany({
          where: { id: userId },
          data: {
            phoneNumber: phone.phoneNumber,
            purePhoneNumber: phone.purePhoneNumber,
            phoneCountryCode: phone.countryCode,
            phoneVerifiedAt: now,
            updatedAt: now,
          },
        })
      ));
    } catch (error) {
      // A database error's message quotes the statement with its values: the number. Its code only.
      const code = (error as { code?: unknown }).code;
      throw new Error(
        `[wechat-auth] the verified phone number of user #${userId} could not be saved (database error ${typeof code === 'string' ? code : 'unknown'})`
      );
    }
    if (!count) throw new ApplicationError('The account was deleted while its phone number was verified');
    strapi.log.info(`[wechat-auth] phone number verified for user #${userId} (${appId})`);
    return { phoneNumber: phone.phoneNumber, purePhoneNumber: phone.purePhoneNumber, countryCode: phone.countryCode };
  }

  return {
    /**
     * POST /api/strapi-wechat-miniprogram-auth/phone: the user's identity in `appId` (the default app
     * when absent) gives the openid; without one the user is asked to log in from that app first.
     */
    async bind({ userId, appId, code }: { userId: number; appId?: string; code: string }): Promise<PhoneNumber> {
      const app = await getService(strapi, 'credentials').get(appId);
      const identity = await query<{ openid: string }>(strapi, IDENTITY_UID).findOne({
        where: { appId: app.appId, user: { id: userId } },
        select: ['openid'],
      });
      if (!identity) {
        throw new ValidationError(`Log in with WeChat from the mini program ${app.appId} first: this account has no WeChat identity in it`, {
          appId: app.appId,
          reason: 'no_identity',
        });
      }
      return verifyAndStore(userId, app.appId, identity.openid, code);
    },

    /** After a login with `phoneCode`: never throws, the login's answer says how it went. */
    async bindAtLogin({ userId, appId, openid, code }: { userId: number; appId: string; openid: string; code: string }): Promise<PhoneBinding> {
      try {
        return { bound: true, ...(await verifyAndStore(userId, appId, openid, code)) };
      } catch (error) {
        const failure = phoneFailure(error);
        // Failures of the exchange were logged above; a failed write is logged here (our messages only).
        if (failure.status === null && error instanceof Error) strapi.log.error(`[wechat-auth] at login: ${error.message}`);
        return { bound: false, reason: failure.reason, message: failure.message };
      }
    },
  };
};
