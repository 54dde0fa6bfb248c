import { errors } from '@strapi/utils';
import { httpError } from '../utils/http-error';
import { WeChatApiError, WeChatTransportError } from './wechat-client';

const { ApplicationError, RateLimitError } = errors;

/** errcodes that mean the plugin's own credentials are wrong: the administrator must act. */
export const CREDENTIAL_ERRCODES: Record<number, string> = {
  40013: 'invalid AppID',
  40125: 'invalid AppSecret',
  41002: 'AppID missing',
  41004: 'AppSecret missing',
  40164: 'server IP not in the WeChat IP whitelist',
  40243: 'AppSecret frozen',
};

/**
 * Turns a failed code2session call into the error the mini program receives.
 * Messages and details never include the AppSecret, the session_key or the upstream URL.
 */
export function code2sessionFailureToHttpError(error: unknown): Error {
  if (error instanceof WeChatApiError) {
    const details = { errcode: error.errcode };
    switch (error.errcode) {
      case 40029:
      case 40163:
        return new ApplicationError('The login code is invalid, expired or already used: call wx.login() again for a fresh code', {
          ...details,
          reason: 'invalid_code',
        });
      case 45011:
        return new RateLimitError('WeChat login quota reached for this user: retry in a minute', details);
      case 40226:
        return httpError(403, 'WeChat refused this login: the user is flagged as high risk', details);
      case -1:
        return httpError(503, 'WeChat is busy: retry shortly', details);
      default: {
        const what = CREDENTIAL_ERRCODES[error.errcode];
        return httpError(502, what ? `WeChat rejected the server's credentials (${what})` : `WeChat answered an error (errcode ${error.errcode})`, details);
      }
    }
  }
  if (error instanceof WeChatTransportError) {
    if (error.failure === 'timeout') return httpError(504, 'WeChat did not answer in time');
    const reason =
      error.failure === 'http-status'
        ? `WeChat answered HTTP ${error.httpStatus}`
        : error.failure === 'bad-body'
          ? 'WeChat answered with an unreadable body'
          : 'Could not reach WeChat';
    return httpError(502, reason);
  }
  return error instanceof Error ? error : new Error('Unknown failure');
}
