import type { Context } from 'koa';
import type { LoginBody, Strapi, WeChatUser } from '../types';
import { usersPermissions } from '../strapi';
import { getService } from '../utils/get-service';
import { validateLoginBody } from './validation/login';

export default ({ strapi }: { strapi: Strapi }) => ({
  async login(ctx: Context) {
    // Checked before anything else, phoneCode included: a malformed body never reaches WeChat.
    const body = (await validateLoginBody(ctx.request.body)) as LoginBody;
    const { token, refreshToken, user, phone } = await getService(strapi, 'login').login(
      { code: body.code, appId: body.appId, userInfo: body.userInfo, phoneCode: body.phoneCode, deviceId: body.deviceId },
      { userAgent: ctx.request.headers['user-agent'] }
    );
    // `phone` only when a phoneCode was sent: the 1.0 answer stays { token, user }.
    ctx.body = { token, ...refreshTokenInBody(strapi, ctx, refreshToken), user: await sanitizeUser(strapi, user, ctx), ...(phone ? { phone } : {}) };
  },
});

/** As users-permissions sanitizes its own auth responses, plus the openid (for the app that logged in) the original plugin returned. */
export async function sanitizeUser(strapi: Strapi, user: WeChatUser, ctx: Context) {
  const sanitized = await usersPermissions.sanitizeUser(strapi, user, (ctx.state as { auth?: unknown }).auth);
  return { ...sanitized, openid: user.openid };
}

/** Strapi 5, jwtManagement 'refresh': the refresh token in users-permissions' cookie when it wants one, else in the body. */
export function refreshTokenInBody(strapi: Strapi, ctx: Context, refreshToken: string | undefined): { refreshToken?: string } {
  if (refreshToken === undefined) return {};
  const header = ctx.request.headers['x-strapi-refresh-cookie'];
  const cookie = usersPermissions.refreshCookie(strapi, typeof header === 'string' ? header : undefined);
  if (!cookie) return { refreshToken };
  ctx.cookies.set(cookie.name, refreshToken, cookie.options);
  return {};
}
