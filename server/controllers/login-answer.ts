import type { Context } from 'koa';
import type { Strapi, WeChatUser } from '../types';
import { usersPermissions } from '../strapi';

/**
 * What a login answers besides its token, as users-permissions' own logins answer: the user
 * sanitized for the content API and, on Strapi 5 with jwtManagement 'refresh', the refresh token
 * (in users-permissions' cookie when it wants one, else in the body). Shared by the mini program
 * login and the web login of a scanned code.
 */
export async function loginAnswer(
  strapi: Strapi,
  ctx: Context,
  { refreshToken, user }: { refreshToken?: string; user: WeChatUser }
): Promise<{ refreshToken?: string; user: Record<string, unknown> }> {
  return { ...refreshTokenInBody(strapi, ctx, refreshToken), user: await usersPermissions.sanitizeUser(strapi, user, (ctx.state as { auth?: unknown }).auth) };
}

/** Strapi 5, jwtManagement 'refresh': the refresh token in users-permissions' cookie when it wants one, else in the body. */
function refreshTokenInBody(strapi: Strapi, ctx: Context, refreshToken: string | undefined): { refreshToken?: string } {
  if (refreshToken === undefined) return {};
  const header = ctx.request.headers['x-strapi-refresh-cookie'];
  const cookie = usersPermissions.refreshCookie(strapi, typeof header === 'string' ? header : undefined);
  if (!cookie) return { refreshToken };
  ctx.cookies.set(cookie.name, refreshToken, cookie.options);
  return {};
}
