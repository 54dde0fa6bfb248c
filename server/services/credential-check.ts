import type { Credentials, Strapi } from '../types';
import { getService } from '../utils/get-service';
import { WeChatApiError, WeChatTransportError } from '../wechat/wechat-client';

// The result's types are in a declaration file so that the admin's ESM build (admin/src/v5/tsconfig.json) can
// import them without compiling server code.
import type { CheckFailureReason, CheckResult } from './credential-check-result';

export type { CheckFailureReason, CheckResult };

const ERRCODE_REASONS: Record<number, CheckFailureReason> = {
  40013: 'invalid_appid',
  41002: 'invalid_appid',
  40125: 'invalid_secret',
  41004: 'invalid_secret',
  40164: 'ip_not_whitelisted',
  40243: 'secret_frozen',
};

const MESSAGES: Record<CheckFailureReason, string> = {
  invalid_appid: 'WeChat does not know this AppID',
  invalid_secret: 'The AppSecret does not match this AppID',
  ip_not_whitelisted: "This server's IP address is not in the mini program's IP whitelist",
  secret_frozen: 'The AppSecret is frozen: reset it in the WeChat console',
  timeout: 'WeChat did not answer in time',
  network: 'Could not reach WeChat',
  bad_response: 'WeChat answered with something unexpected',
  wechat_error: 'WeChat answered with an error',
};

function toFailure(error: unknown): { reason: CheckFailureReason; errcode: number | null } {
  if (error instanceof WeChatApiError) {
    return { reason: ERRCODE_REASONS[error.errcode] ?? 'wechat_error', errcode: error.errcode };
  }
  if (error instanceof WeChatTransportError) {
    const reason = error.failure === 'timeout' ? 'timeout' : error.failure === 'network' ? 'network' : 'bad_response';
    return { reason, errcode: null };
  }
  throw error;
}

/**
 * Asks WeChat for an access token with the given credentials (POST /cgi-bin/stable_token, normal
 * mode: it returns the token in use and invalidates nothing, so testing is harmless to the
 * servers already using these credentials). The token itself is dropped: it is a secret too.
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  async check({ appId, appSecret }: Pick<Credentials, 'appId' | 'appSecret'>): Promise<CheckResult> {
    try {
      const { expiresIn } = await getService(strapi, 'wechat').client().stableToken(appId, appSecret);
      strapi.log.info(`[wechat-auth] credential check for AppID ${appId}: accepted by WeChat`);
      return { ok: true, appId, expiresIn };
    } catch (error) {
      const { reason, errcode } = toFailure(error);
      const message = errcode === null || reason !== 'wechat_error' ? MESSAGES[reason] : `${MESSAGES[reason]} (errcode ${errcode})`;
      strapi.log.info(`[wechat-auth] credential check for AppID ${appId}: ${message}`);
      return { ok: false, appId, reason, errcode, message };
    }
  },
});
