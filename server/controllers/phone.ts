import type { Context } from 'koa';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { validatePhoneBody } from './validation/phone';
import { authenticatedUserId } from './authenticated-user';

/**
 * POST /api/strapi-wechat-miniprogram-auth/phone (content API: a users-permissions JWT and the
 * phone.bind permission on the user's role). `{ code, appId? }` → `{ phoneNumber, purePhoneNumber, countryCode }`.
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  async bind(ctx: Context) {
    // Checked before anything else: a malformed body never reaches WeChat.
    const { code, appId } = await validatePhoneBody(ctx.request.body);
    const userId = authenticatedUserId(ctx);
    await getService(strapi, 'rateLimits').consumeUser(ctx, 'phone', userId);
    ctx.body = await getService(strapi, 'phone').bind({ userId, appId, code });
  },
});
