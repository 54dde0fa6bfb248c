import type { Context } from 'koa';
import type { LoginBody, Strapi, WeChatUser } from '../types';
import { usersPermissions } from '../strapi';
import { getService } from '../utils/get-service';
import { validateLoginBody } from './validation/login';

export default ({ strapi }: { strapi: Strapi }) => ({
  async login(ctx: Context) {
    const body = (await validateLoginBody(ctx.request.body)) as LoginBody;
    const { token, user } = await getService(strapi, 'login').login({ code: body.code, appId: body.appId, userInfo: body.userInfo });
    ctx.body = { token, user: await sanitizeUser(strapi, user, ctx) };
  },
});

/** As users-permissions sanitizes its own auth responses, plus the openid (for the app that logged in) the original plugin returned. */
async function sanitizeUser(strapi: Strapi, user: WeChatUser, ctx: Context) {
  const sanitized = await usersPermissions.sanitizeUser(strapi, user, (ctx.state as { auth?: unknown }).auth);
  return { ...sanitized, openid: user.openid };
}
