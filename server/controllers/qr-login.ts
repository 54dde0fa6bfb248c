import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import type { Strapi } from '../types';
import { pluginConfig } from '../strapi';
import { describeBrowser } from '../utils/browser-description';
import { getService } from '../utils/get-service';
import { loginAnswer } from './login-answer';
import { SECRET_HEADER, validateCreateBody, validateSecretHeader, validateTicket } from './validation/qr-login';
import { authenticatedUserId } from './authenticated-user';

const ticketOf = (ctx: Context) => validateTicket((ctx.params as { ticket?: unknown }).ticket);

/**
 * Logging in on a website by scanning a mini program code (docs/qr-login.md): the web page creates a
 * ticket and polls it with its secret; the mini program scans, then confirms or cancels, with the user's JWT.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const service = () => getService(strapi, 'qrLogins');
  const ensureEnabled = () => {
    if (!pluginConfig(strapi, 'qrLogin').enabled) throw new errors.NotFoundError('Logging in by scanning a code is not enabled (qrLogin.enabled)');
  };

  return {
    /** POST /qr-logins `{ appId? }` → `{ ticket, secret, qrCode, expiresAt }` (public, rate-limited per network). */
    async create(ctx: Context) {
      ensureEnabled();
      const { appId } = await validateCreateBody(ctx.request.body);
      const limits = getService(strapi, 'rateLimits');
      const network = limits.clientNetwork(ctx);
      await limits.consumeQrLogin(ctx, network);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await service().create({ appId, device: describeBrowser(ctx.request.headers['user-agent']), network });
    },

    /** GET /qr-logins/:ticket with X-Login-Secret → `{ status }`, once `{ status: 'confirmed', jwt, user }`. */
    async status(ctx: Context) {
      ensureEnabled();
      const ticket = ticketOf(ctx);
      const secret = validateSecretHeader(ctx.request.headers[SECRET_HEADER]);
      ctx.set('Cache-Control', 'no-store');
      const { status, login } = await service().read(ticket, secret, { userAgent: ctx.request.headers['user-agent'] });
      if (!login) {
        ctx.body = { status };
        return;
      }
      ctx.body = { status, jwt: login.token, ...(await loginAnswer(strapi, ctx, login)) };
    },

    /** POST /qr-logins/:ticket/scan (user JWT) → the requesting browser's description, for the confirm page. */
    async scan(ctx: Context) {
      ensureEnabled();
      ctx.body = await service().scan(ticketOf(ctx), authenticatedUserId(ctx));
    },

    async confirm(ctx: Context) {
      ensureEnabled();
      ctx.body = await service().confirm(ticketOf(ctx), authenticatedUserId(ctx));
    },

    async cancel(ctx: Context) {
      ensureEnabled();
      ctx.body = await service().cancel(ticketOf(ctx), authenticatedUserId(ctx));
    },
  };
};
