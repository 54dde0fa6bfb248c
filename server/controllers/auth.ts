import { sanitize } from '@strapi/utils';
import type { Context } from 'koa';
import type { LoginBody, Strapi, WeChatUser } from '../types';
import { getService } from '../utils/get-service';
import { USER_UID } from '../utils/plugin-id';
import { validateLoginBody } from './validation/login';

export default ({ strapi }: { strapi: Strapi }) => ({
  async login(ctx: Context) {
    const body = (await validateLoginBody(ctx.request.body)) as LoginBody;
    const { token, user } = await getService(strapi, 'login').login({ code: body.code, userInfo: body.userInfo });
    ctx.body = { token, user: await sanitizeUser(strapi, user, ctx) };
  },
});

/** As users-permissions sanitizes its own auth responses, plus the openid the original plugin returned. */
async function sanitizeUser(strapi: Strapi, user: WeChatUser, ctx: Context) {
  const sanitized = (await sanitize.contentAPI.output(user, strapi.getModel(USER_UID as never), {
    auth: (ctx.state as { auth?: unknown }).auth,
  })) as Record<string, unknown>;
  return { ...sanitized, openid: user.openid };
}
