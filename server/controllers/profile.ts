import type { Context } from 'koa';
import { pluginConfig } from '../strapi';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { validateProfileUpdate } from './validation/profile';
import { authenticatedUserId } from './authenticated-user';

/** formidable's parts as koa-body leaves them on the request (one file or a list per field). */
type UploadedFiles = Record<string, unknown>;

function uploadedFiles(ctx: Context): UploadedFiles | undefined {
  return (ctx.request as { files?: UploadedFiles }).files;
}

/**
 * GET and PUT /api/strapi-wechat-miniprogram-auth/profile (content API: a users-permissions JWT and
 * the profile.find / profile.update permission on the user's role).
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  async find(ctx: Context) {
    ctx.body = await getService(strapi, 'profile').view(authenticatedUserId(ctx));
  },

  /**
   * multipart/form-data (`avatar` file, `nickName`, `appId` fields) or JSON `{ nickName, appId? }`.
   * The body parser's temporary files are deleted by server/middlewares/multipart-guard.ts.
   */
  async update(ctx: Context) {
    const userId = authenticatedUserId(ctx);
    const { nicknameMaxLength, avatarMaxBytes } = pluginConfig(strapi, 'profile');
    const request = validateProfileUpdate(ctx.request.body, uploadedFiles(ctx), { nicknameMaxLength, avatarMaxBytes });
    // A new nickname is what WeChat checks (msgSecCheck): those updates spend the user's budget.
    if (request.nickName !== undefined) await getService(strapi, 'rateLimits').consumeUser(ctx, 'profile', userId);
    ctx.body = await getService(strapi, 'profile').update(userId, request);
  },
});
