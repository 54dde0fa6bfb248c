import type { Context } from 'koa';
import type { Strapi } from '../types';
import { restApiPrefix } from '../strapi';
import { getService } from '../utils/get-service';
import { PLUGIN_ID } from '../utils/plugin-id';
import { STATE_COOKIE } from '../services/oauth';
import { loginAnswer } from './login-answer';
import { validateAuthorize, validateCallback, validateExchange } from './validation/oauth';

const params = (ctx: Context) => ctx.params as Record<string, string | undefined>;

/**
 * The browser logins of Official Accounts and website apps (docs/web-logins.md): two redirects and an exchange.
 * No JWT ever travels in a URL: the callback hands the page a one-time code, which it posts to /oauth/exchange.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const cookiePath = () => `${restApiPrefix(strapi)}/${PLUGIN_ID}/oauth`;
  const oauth = () => getService(strapi, 'oauth');

  return {
    async authorize(ctx: Context) {
      const { appId, redirect } = await validateAuthorize({ appId: params(ctx).appId, redirect: ctx.query.redirect });
      const { location, secret, maxAge } = await oauth().authorize({ appId, redirect, requestOrigin: ctx.origin });
      // Lax: sent with WeChat's top-level redirect back to the callback, not with requests other sites make.
      ctx.cookies.set(STATE_COOKIE, secret, { httpOnly: true, sameSite: 'lax', path: cookiePath(), maxAge, secure: ctx.secure, overwrite: true });
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(location);
    },

    async callback(ctx: Context) {
      const input = await validateCallback({ appId: params(ctx).appId, state: ctx.query.state, code: ctx.query.code });
      const location = await oauth().callback({ ...input, cookieSecret: ctx.cookies.get(STATE_COOKIE) ?? undefined });
      ctx.cookies.set(STATE_COOKIE, null, { path: cookiePath(), overwrite: true });
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(location);
    },

    /** `{ jwt, user }` as users-permissions' own logins answer (with the refresh token in Strapi 5's refresh mode). */
    async exchange(ctx: Context) {
      const { code, deviceId } = await validateExchange(ctx.request.body);
      const { token, refreshToken, user } = await oauth().exchange(code, { deviceId, userAgent: ctx.request.headers['user-agent'] });
      ctx.set('Cache-Control', 'no-store');
      const answer = await loginAnswer(strapi, ctx, { refreshToken, user });
      // The openid of the app that logged in, as the mini program login answers it.
      ctx.body = { jwt: token, ...answer, user: { ...answer.user, openid: user.openid } };
    },
  };
};
