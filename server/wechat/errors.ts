/**
 * What a failed WeChat call means for the caller: an HTTP status, a message and details, per API.
 * Strapi-free: the Strapi side (server/utils/http-error.ts) turns a WeChatFailure into the error
 * Strapi renders. Messages and details never include the AppSecret, an access token, a session
 * key, a code or the upstream URL: only the API's name, the errcode and a reason.
 */
import { WeChatApiError, WeChatTransportError } from './wechat-client';

/** How Strapi names the error: ApplicationError (400), RateLimitError (429) or a plain HTTP error. */
export type FailureKind = 'application' | 'rate-limit' | 'http';

export interface WeChatFailure {
  status: 400 | 403 | 429 | 502 | 503 | 504;
  kind: FailureKind;
  message: string;
  details: Record<string, unknown>;
}

/** The APIs the plugin names in its errors and logs. */
export type WeChatApiName =
  | 'code2session'
  | 'stable_token'
  | 'getuserphonenumber'
  | 'subscribe_send'
  | 'getwxacodeunlimit'
  | 'msg_sec_check'
  | 'checksession'
  | 'sns_access_token'
  | 'sns_userinfo'
  // The generic call: its path.
  | (string & {});

/** errcodes that mean the plugin's own credentials are wrong: the administrator must act. */
export const CREDENTIAL_ERRCODES: Record<number, string> = {
  40013: 'invalid AppID',
  40125: 'invalid AppSecret',
  41002: 'AppID missing',
  41004: 'AppSecret missing',
  40164: 'server IP not in the WeChat IP whitelist',
  40243: 'AppSecret frozen',
};

/** errcodes that mean the access token was refused: get the current one once, retry once. */
export const TOKEN_ERRCODES: Record<number, string> = {
  40001: 'access token invalid or not the latest',
  40014: 'access token invalid',
  42001: 'access token expired',
};

const isTokenRejection = (error: unknown): error is WeChatApiError => error instanceof WeChatApiError && error.errcode in TOKEN_ERRCODES;

/**
 * The one retry rule of every call made on the access token (server/wechat/access-token.ts applies it):
 * repeated once, on a fresh token, when WeChat refused the token, and never otherwise.
 *
 * - A refused token (40001, 40014, 42001) means WeChat did nothing: no phone number handed out, the
 *   code not spent, nothing billed, no message sent. Repeating the call on a working token is safe
 *   for every API, billed and single-use ones included.
 * - A timeout, a network failure, an HTTP 5xx or an unreadable body may come after WeChat did the
 *   work (billed the number, spent the code, sent the message): never repeated, for any call. So is
 *   every other errcode: WeChat's answer stands.
 */
export const retryOnFreshToken = (error: unknown): boolean => isTokenRejection(error);

type Rule = Pick<WeChatFailure, 'status' | 'kind' | 'message'> & { reason?: string };

const badRequest = (reason: string, message: string): Rule => ({ status: 400, kind: 'application', message, reason });

/** What an errcode means for one API (before the errcodes every API shares). */
const PER_API: Record<string, Record<number, Rule>> = {
  code2session: {
    40029: badRequest('invalid_code', 'The login code is invalid, expired or already used: call wx.login() again for a fresh code'),
    40163: badRequest('invalid_code', 'The login code is invalid, expired or already used: call wx.login() again for a fresh code'),
    40226: { status: 403, kind: 'http', message: 'WeChat refused this login: the user is flagged as high risk' },
  },
  // An Official Account's, website's or mobile app's login code.
  sns_access_token: {
    40029: badRequest('invalid_code', 'The WeChat authorization code is invalid or expired: start the login again'),
    40163: badRequest('code_used', 'The WeChat authorization code was already used: start the login again'),
    41008: badRequest('invalid_code', 'The WeChat authorization code is missing'),
  },
  // Called with the user's own access token, just issued: a refusal is WeChat's, not the server's credentials.
  sns_userinfo: {
    48001: { status: 403, kind: 'http', message: 'WeChat did not grant access to the user profile (scope)', reason: 'scope_not_granted' },
    40003: { status: 502, kind: 'http', message: 'WeChat did not recognise the openid it just gave', reason: 'bad_openid' },
    40001: { status: 502, kind: 'http', message: "WeChat refused the user's access token it just gave", reason: 'user_token_refused' },
    42001: { status: 502, kind: 'http', message: "WeChat refused the user's access token it just gave", reason: 'user_token_refused' },
  },
  getuserphonenumber: {
    40029: badRequest('invalid_code', 'The phone number code is invalid, expired or already used: ask the user to tap the phone number button again'),
    40163: badRequest('invalid_code', 'The phone number code is invalid, expired or already used: ask the user to tap the phone number button again'),
    // The openid sent with the code is not the user the code was issued to: for the mini program, a code to get again.
    40003: badRequest('invalid_code', 'The phone number code was not issued to this user: ask the user to tap the phone number button again'),
  },
  subscribe_send: {
    43101: { status: 403, kind: 'http', message: 'The user has not subscribed to this message (or used up a one-time subscription)', reason: 'not_subscribed' },
    40037: badRequest('bad_template', 'WeChat does not know this template_id for this mini program'),
    47003: badRequest('bad_data', 'WeChat refused the message data'),
    40003: badRequest('bad_openid', 'WeChat does not know this openid for this mini program'),
    41030: badRequest('bad_page', 'The page does not exist in the published mini program'),
  },
  getwxacodeunlimit: {
    40169: badRequest('bad_scene', 'WeChat refused the scene'),
    41030: badRequest('bad_page', 'The page does not exist in the published mini program'),
  },
  msg_sec_check: {
    40003: badRequest('bad_openid', 'WeChat does not know this openid for this mini program'),
    43104: badRequest('bad_openid', 'The openid does not belong to this mini program'),
    40129: badRequest('bad_scene', 'WeChat refused the scene'),
  },
};

function apiFailure(error: WeChatApiError): WeChatFailure {
  const api = error.api;
  const details: Record<string, unknown> = { errcode: error.errcode };
  const rule = PER_API[api]?.[error.errcode];
  if (rule) {
    if (rule.reason) details.reason = rule.reason;
    // 47003: errmsg names the offending field (data.<key>.value); only that key is passed on.
    if (error.field) details.field = error.field;
    const message = error.field && rule.reason === 'bad_data' ? `${rule.message} (${error.field})` : rule.message;
    return { status: rule.status, kind: rule.kind, message, details };
  }
  if (error.errcode === -1) return { status: 503, kind: 'http', message: 'WeChat is busy: retry shortly', details };
  if (error.errcode === 45011 || error.errcode === 45009) {
    const message =
      api === 'code2session' ? 'WeChat login quota reached for this user: retry in a minute' : `WeChat's quota for ${api} is reached: retry later`;
    return { status: 429, kind: 'rate-limit', message, details };
  }
  const credential = CREDENTIAL_ERRCODES[error.errcode];
  if (credential) return { status: 502, kind: 'http', message: `WeChat rejected the server's credentials (${credential})`, details };
  const token = TOKEN_ERRCODES[error.errcode];
  if (token) return { status: 502, kind: 'http', message: `WeChat rejected the server's credentials (${token})`, details };
  return { status: 502, kind: 'http', message: `WeChat answered an error (errcode ${error.errcode})`, details };
}

function transportFailure(error: WeChatTransportError): WeChatFailure {
  if (error.failure === 'timeout') return { status: 504, kind: 'http', message: 'WeChat did not answer in time', details: {} };
  const message =
    error.failure === 'http-status'
      ? `WeChat answered HTTP ${error.httpStatus}`
      : error.failure === 'bad-body'
        ? 'WeChat answered with an unreadable body'
        : 'Could not reach WeChat';
  return { status: 502, kind: 'http', message, details: {} };
}

/**
 * The failure a WeChat error means, by the API that answered it (a stable_token failure during a
 * phone number call is a credentials problem, not a bad phone code); null when `error` is not a
 * WeChat error (pass it on as it is).
 */
export function describeFailure(error: unknown): WeChatFailure | null {
  if (error instanceof WeChatApiError) return apiFailure(error);
  if (error instanceof WeChatTransportError) return transportFailure(error);
  return null;
}
