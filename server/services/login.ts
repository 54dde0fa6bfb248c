import type { LoginBody, Strapi, WeChatUser } from '../types';
import { getService } from '../utils/get-service';
import { code2sessionFailureToHttpError } from './wechat-error-mapping';
import type { Code2SessionResult } from './wechat-client';

/** The login path: WeChat code -> session -> user -> users-permissions JWT. */
export default ({ strapi }: { strapi: Strapi }) => ({
  async login({ code, userInfo }: LoginBody): Promise<{ token: string; user: WeChatUser }> {
    const { appId, appSecret } = await getService(strapi, 'credentials').get();

    let session: Code2SessionResult;
    try {
      session = await getService(strapi, 'wechat').client().code2session(appId, appSecret, code);
    } catch (failure) {
      const error = code2sessionFailureToHttpError(failure);
      // Only the sanitized error: an axios error would carry the URL, and with it the AppSecret.
      strapi.log.warn(`[wechat-auth] login failed upstream: ${error.message}`);
      throw error;
    }

    const user = await getService(strapi, 'wechatUsers').upsert(session, userInfo);
    const token = getService(strapi, 'token').issue(user.id);
    return { token, user };
  },
});
