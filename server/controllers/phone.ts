import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { validatePhoneBody } from './validation/phone';

/**
 * POST /api/strapi-wechat-miniprogram-auth/phone (content API: a users-permissions JWT and the
 * phone.bind permission on the user's role). `{ code, appId? }` → `{ phoneNumber, purePhoneNumber, countryCode }`.
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  async bind(ctx: Context) {
    // Checked before anything else: a malformed body never reaches WeChat.
    const { code, appId } = await validatePhoneBody(ctx.request.body);
    const userId = Number((ctx.state as { user?: { id?: unknown } }).user?.id);
    // The route's authentication guarantees a user; this keeps a misconfigured route from binding anyone.
    if (!Number.isSafeInteger(userId)) throw new errors.UnauthorizedError('Log in first: this route needs the JWT of a users-permissions user');
    await getService(strapi, 'rateLimits').consumeUser(ctx, 'phone', userId);
    ctx.body = await getService(strapi, 'phone').bind({ userId, appId, code });
  },
});
