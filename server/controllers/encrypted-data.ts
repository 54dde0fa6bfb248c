import type { Context } from 'koa';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { validateEncryptedDataBody } from './validation/encrypted-data';
import { authenticatedUserId } from './authenticated-user';

/**
 * POST /api/strapi-wechat-miniprogram-auth/decrypt (content API: a users-permissions JWT and the
 * encryptedData.decrypt permission on the user's role). `{ encryptedData, iv, appId? }` → the decrypted
 * object, with the session key of the user's latest login in that app.
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  async decrypt(ctx: Context) {
    // Checked before anything else: a malformed body reads no key and calls nothing.
    const body = await validateEncryptedDataBody(ctx.request.body);
    const userId = authenticatedUserId(ctx);
    await getService(strapi, 'rateLimits').consumeUser(ctx, 'decrypt', userId);
    ctx.body = await getService(strapi, 'sessions').decrypt({ userId, ...body });
  },
});
