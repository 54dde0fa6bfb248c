import { errors } from '@strapi/utils';
import type { Context } from 'koa';

/**
 * The id of the users-permissions user of a content-API request. The route's authentication guarantees one; this keeps
 * a misconfigured route (auth turned off) from acting for anyone.
 */
export function authenticatedUserId(ctx: Context): number {
  const userId = Number((ctx.state as { user?: { id?: unknown } }).user?.id);
  if (!Number.isSafeInteger(userId)) throw new errors.UnauthorizedError('Log in first: this route needs the JWT of a users-permissions user');
  return userId;
}
