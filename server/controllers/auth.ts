import type { Context } from 'koa';
import type { LoginBody, Strapi } from '../types';
import { getService } from '../utils/get-service';
import { loginAnswer } from './login-answer';
import { validateLoginBody } from './validation/login';

export default ({ strapi }: { strapi: Strapi }) => ({
  async login(ctx: Context) {
    // Checked before anything else, phoneCode included: a malformed body never reaches WeChat.
    const body = (await validateLoginBody(ctx.request.body)) as LoginBody;
    const { token, refreshToken, user, phone } = await getService(strapi, 'login').login(
      { code: body.code, appId: body.appId, userInfo: body.userInfo, phoneCode: body.phoneCode, deviceId: body.deviceId },
      { userAgent: ctx.request.headers['user-agent'] }
    );
    const answer = await loginAnswer(strapi, ctx, { refreshToken, user });
    // The openid (of the app that logged in), as the original plugin returned it; `phone` only when a
    // phoneCode was sent: the 1.0 answer stays { token, user }.
    ctx.body = { token, ...answer, user: { ...answer.user, openid: user.openid }, ...(phone ? { phone } : {}) };
  },
});
