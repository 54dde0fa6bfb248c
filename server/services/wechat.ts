import type { Strapi } from '../types';
import { pluginConfig } from '../strapi';
import { getService } from '../utils/get-service';
import { wechatFailureToHttpError } from '../utils/http-error';
import { createAccessTokenManager, type AccessTokenManager } from '../wechat/access-token';
import { createWeChatClient, type PhoneNumberResult, type WeChatClient } from '../wechat/wechat-client';
import { createAccessTokenStore } from './access-token-store';
import { checkSessionKeyInput, genericCallInput, msgSecCheckInput, phoneNumberInput, subscribeMessageInput, unlimitedQRCodeInput } from './wechat-input';

/** What the admin page shows of an app's access token (never the token). */
export interface TokenStatus {
  cached: boolean;
  expiresAt: string | null;
  refreshedAt: string | null;
  lastErrcode: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * WeChat's server APIs for app code: `strapi.plugin('strapi-wechat-miniprogram-auth').service('wechat')`.
 * Every call takes an optional `appId` (the default app otherwise), is validated before WeChat is
 * asked (400 ValidationError), runs on the app's shared access token (server/wechat/access-token.ts)
 * and fails with the HTTP error its WeChat failure means (server/wechat/errors.ts). Also holds the
 * one WeChat client (and its keep-alive connections) of this Strapi instance, which the login uses.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  let client: WeChatClient | null = null;
  let manager: AccessTokenManager | null = null;
  const store = createAccessTokenStore(strapi);

  const getClient = (): WeChatClient =>
    (client ??= createWeChatClient({ baseUrl: pluginConfig(strapi, 'apiBaseUrl'), timeoutMs: pluginConfig(strapi, 'timeout') }));

  const tokens = (): AccessTokenManager =>
    (manager ??= createAccessTokenManager({
      async fetchToken(appId, { forceRefresh }) {
        const app = await getService(strapi, 'credentials').get(appId);
        return getClient().stableToken(app.appId, app.appSecret, { forceRefresh });
      },
      store,
      log: (level, message) => strapi.log[level](message),
    }));

  /**
   * Runs `call` for the app (400 unknown app, 503 not configured) on its token; WeChat failures become
   * HTTP errors. A refused token is replaced and the call made once more; nothing else is ever repeated
   * (retryOnFreshToken in server/wechat/errors.ts), so a billed or single-use call that timed out is not.
   */
  async function onToken<T>(api: string, appId: string | undefined, call: (client: WeChatClient, token: string) => Promise<T>): Promise<T> {
    const app = await getService(strapi, 'credentials').get(appId);
    try {
      return await tokens().withToken(app.appId, (token) => call(getClient(), token));
    } catch (failure) {
      const error = wechatFailureToHttpError(failure);
      // Only the mapped error: no URL (it carries the access token), no input.
      if (error !== failure) strapi.log.warn(`[wechat-auth] ${api} for ${app.appId} failed: ${error.message}`);
      throw error;
    }
  }

  return {
    /**
     * The phone number behind a getPhoneNumber button's code (single use, billed by WeChat): retried only
     * after WeChat refused the token (then it did nothing), never after a timeout or a 5xx.
     */
    async getPhoneNumber(input: { appId?: string; code: string; openid?: string }): Promise<PhoneNumberResult> {
      const { appId, code, openid } = phoneNumberInput(input);
      return onToken('getuserphonenumber', appId, (c, token) => c.getPhoneNumber(token, openid ? { code, openid } : { code }));
    },

    async sendSubscribeMessage(input: {
      appId?: string;
      touser: string;
      templateId: string;
      page?: string;
      data: Record<string, string | number | { value: string | number }>;
      miniprogramState?: 'developer' | 'trial' | 'formal';
      lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
    }): Promise<{ msgid: string | null }> {
      const { appId, body } = subscribeMessageInput(input);
      return onToken('subscribe_send', appId, (c, token) => c.sendSubscribeMessage(token, body));
    },

    /** A mini program code (PNG or JPEG bytes) for `scene`, read in the mini program as decodeURIComponent(query.scene). */
    async getUnlimitedQRCode(input: {
      appId?: string;
      scene: string;
      page?: string;
      width?: number;
      envVersion?: 'release' | 'trial' | 'develop';
      checkPath?: boolean;
      autoColor?: boolean;
      lineColor?: { r: number; g: number; b: number };
      isHyaline?: boolean;
    }): Promise<Buffer> {
      const { appId, body } = unlimitedQRCodeInput(input);
      return (await onToken('getwxacodeunlimit', appId, (c, token) => c.getUnlimitedQRCode(token, body))).data;
    },

    /** Text content security (msg_sec_check v2): `suggest` pass / review / risky and WeChat's label. */
    async msgSecCheck(input: { appId?: string; openid: string; content: string; scene: 1 | 2 | 3 | 4 }): Promise<{ suggest: string; label: number }> {
      const { appId, body } = msgSecCheckInput(input);
      const { suggest, label } = await onToken('msg_sec_check', appId, (c, token) => c.msgSecCheck(token, body));
      return { suggest, label };
    },

    /**
     * Whether `sessionKey` is still the current session key of `openid` in the app (checksession with
     * its hmac_sha256 signature; the key itself is never sent). An outdated key is `false`, not an error.
     * For a user's stored key, use the `sessions` service's checkSessionKey.
     */
    async checkSessionKey(input: { appId?: string; openid: string; sessionKey: string }): Promise<boolean> {
      const { appId, openid, sessionKey } = checkSessionKeyInput(input);
      return onToken('checksession', appId, (c, token) => c.checkSessionKey(token, { openid, sessionKey }));
    },

    /** Any other WeChat server API that answers JSON, on the app's access token: the parsed body (errcode ≠ 0 → error). */
    async call(input: {
      appId?: string;
      method: 'GET' | 'POST';
      path: string;
      query?: Record<string, string | number | boolean>;
      body?: unknown;
    }): Promise<Record<string, unknown>> {
      const { appId, ...request } = genericCallInput(input);
      return onToken(request.path, appId, (c, token) => c.call(token, request));
    },

    /** What the store holds about the app's access token (the default app's without `appId`), for the admin page (never the token). */
    async tokenStatus(appId?: string): Promise<TokenStatus> {
      const target = appId || (await getService(strapi, 'credentials').apps()).defaultAppId;
      if (!target) return { cached: false, expiresAt: null, refreshedAt: null, lastErrcode: null };
      const status = await tokens().status(target.toLowerCase());
      return { cached: status.cached, expiresAt: iso(status.expiresAt), refreshedAt: iso(status.refreshedAt), lastErrcode: status.lastErrcode };
    },

    /** The HTTP client (the login's code2session, the admin's credential check). */
    client(): WeChatClient {
      return getClient();
    },

    close(): void {
      client?.close();
      client = null;
    },
  };
};
