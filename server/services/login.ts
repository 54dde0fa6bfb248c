import { errors } from '@strapi/utils';
import type { Credentials, LoginBody, Strapi, WeChatUser, WeChatUserInfo } from '../types';
import { getService } from '../utils/get-service';
import { code2sessionFailureToHttpError } from '../utils/http-error';
import { WeChatApiError, WeChatTransportError } from '../wechat/wechat-client';
import { LOGIN_EXCHANGE } from './app-resolution';
import type { WeChatSession } from './identities';
import type { PhoneBinding } from './phone';

const { ValidationError } = errors;

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
 * A mini program's code goes to jscode2session, a mobile app's (WeChat Open SDK) to sns/oauth2/access_token.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const activity = () => getService(strapi, 'activity');

  /** What WeChat says the code stands for, by the app's type. */
  async function exchangeCode(app: Credentials, code: string): Promise<WeChatSession> {
    const exchange = LOGIN_EXCHANGE[app.type];
    if (!exchange) {
      throw new ValidationError(
        `${app.appId} is a ${app.type} app: its logins go through the browser (GET /api/strapi-wechat-miniprogram-auth/oauth/${app.appId}/authorize), not this endpoint`,
        { appId: app.appId, type: app.type, reason: 'wrong_app_type' }
      );
    }
    const client = getService(strapi, 'wechat').client();
    try {
      if (exchange === 'jscode2session') return await client.code2session(app.appId, app.appSecret, code);
      const { openid, unionid } = await client.snsAccessToken(app.appId, app.appSecret, code);
      return unionid ? { openid, unionid } : { openid };
    } catch (failure) {
      const failed = weChatFailureCode(failure);
      if (failed) activity().recordWeChatError(app.appId, failed);
      const error = code2sessionFailureToHttpError(failure);
      // Only the sanitized error: an axios error would carry the URL, and with it the AppSecret.
      strapi.log.warn(`[wechat-auth] login failed upstream: ${error.message}`);
      throw error;
    }
  }

  /** The user behind a WeChat identity of `appId`, found or created (every login kind ends here), counted as a new or returning login. */
  async function signIn({ appId, session, userInfo }: { appId: string; session: WeChatSession; userInfo?: WeChatUserInfo }): Promise<WeChatUser> {
    const isLegacyApp = (await getService(strapi, 'credentials').apps()).legacyAppId === appId;
    const { user, isNew } = await getService(strapi, 'identities').upsert({ appId, isLegacyApp, session, userInfo });
    activity().recordLogin(appId, isNew);
    return user;
  }

  return {
    signIn,

    async login({ code, appId, userInfo, phoneCode, deviceId }: LoginBody, client: { userAgent?: string } = {}): Promise<LoginResult> {
      const credentials = getService(strapi, 'credentials');
      const app = await credentials.get(appId);
      if (phoneCode !== undefined && app.type !== 'miniProgram') {
        throw new ValidationError('phoneCode is for mini program logins only', { appId: app.appId, type: app.type, reason: 'phone_not_supported' });
      }
      const session = await exchangeCode(app, code);
      const user = await signIn({ appId: app.appId, session, userInfo });
      const tokens = await getService(strapi, 'token').issue(user.id, { deviceId, userAgent: client.userAgent });
      if (phoneCode === undefined) return { ...tokens, user };
      const phone = await getService(strapi, 'phone').bindAtLogin({ userId: user.id, appId: app.appId, openid: session.openid, code: phoneCode });
      return { ...tokens, user, phone };
    },
  };
};

/** What the activity counts a failed code exchange as: the errcode, or the transport failure (timeout, network…); null for anything else. */
function weChatFailureCode(failure: unknown): string | null {
  if (failure instanceof WeChatApiError) return String(failure.errcode);
  if (failure instanceof WeChatTransportError) return failure.failure;
  return null;
}
