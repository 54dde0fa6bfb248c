import type { LoginBody, Strapi, WeChatUser } from '../types';
import { getService } from '../utils/get-service';
import { code2sessionFailureToHttpError } from '../utils/http-error';
import { WeChatApiError, WeChatTransportError, type Code2SessionResult } from '../wechat/wechat-client';
import type { PhoneBinding } from './phone';

export interface LoginResult {
  token: string;
  /** Strapi 5 with jwtManagement 'refresh' only: the session's refresh token. */
  refreshToken?: string;
  user: WeChatUser;
  /** Only when the body had a phoneCode. */
  phone?: PhoneBinding;
}

/**
 * The login path: app → WeChat code → session → identity/user → users-permissions JWT, then, with a
 * `phoneCode`, the phone number bound in the same request (its failure never fails the login).
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  async login({ code, appId, userInfo, phoneCode, deviceId }: LoginBody, client: { userAgent?: string } = {}): Promise<LoginResult> {
    const credentials = getService(strapi, 'credentials');
    const activity = getService(strapi, 'activity');
    const app = await credentials.get(appId);

    let session: Code2SessionResult;
    try {
      session = await getService(strapi, 'wechat').client().code2session(app.appId, app.appSecret, code);
    } catch (failure) {
      const failed = weChatFailureCode(failure);
      if (failed) activity.recordWeChatError(app.appId, failed);
      const error = code2sessionFailureToHttpError(failure);
      // Only the sanitized error: an axios error would carry the URL, and with it the AppSecret.
      strapi.log.warn(`[wechat-auth] login failed upstream: ${error.message}`);
      throw error;
    }

    const isLegacyApp = (await credentials.apps()).legacyAppId === app.appId;
    const { user, isNew } = await getService(strapi, 'identities').upsert({ appId: app.appId, isLegacyApp, session, userInfo });
    const tokens = await getService(strapi, 'token').issue(user.id, { deviceId, userAgent: client.userAgent });
    activity.recordLogin(app.appId, isNew);
    if (phoneCode === undefined) return { ...tokens, user };
    const phone = await getService(strapi, 'phone').bindAtLogin({ userId: user.id, appId: app.appId, openid: session.openid, code: phoneCode });
    return { ...tokens, user, phone };
  },
});

/** What the activity counts a failed code2session as: the errcode, or the transport failure (timeout, network…); null for anything else. */
function weChatFailureCode(failure: unknown): string | null {
  if (failure instanceof WeChatApiError) return String(failure.errcode);
  if (failure instanceof WeChatTransportError) return failure.failure;
  return null;
}
