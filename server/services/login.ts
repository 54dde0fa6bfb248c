import type { LoginBody, Strapi, WeChatUser } from '../types';
import { getService } from '../utils/get-service';
import { code2sessionFailureToHttpError } from '../utils/http-error';
import type { Code2SessionResult } from '../wechat/wechat-client';

/** The login path: app → WeChat code → session → identity/user → users-permissions JWT. */
export default ({ strapi }: { strapi: Strapi }) => ({
  async login({ code, appId, userInfo }: LoginBody): Promise<{ token: string; user: WeChatUser }> {
    const credentials = getService(strapi, 'credentials');
    const app = await credentials.get(appId);

    let session: Code2SessionResult;
    try {
      session = await getService(strapi, 'wechat').client().code2session(app.appId, app.appSecret, code);
    } catch (failure) {
      const error = code2sessionFailureToHttpError(failure);
      // Only the sanitized error: an axios error would carry the URL, and with it the AppSecret.
      strapi.log.warn(`[wechat-auth] login failed upstream: ${error.message}`);
      throw error;
    }

    const isDefaultApp = !appId || (await credentials.apps()).defaultAppId === app.appId;
    const user = await getService(strapi, 'identities').upsert({ appId: app.appId, isDefaultApp, session, userInfo });
    const token = getService(strapi, 'token').issue(user.id);
    return { token, user };
  },
});
