import { errors } from '@strapi/utils';
import { validatePhoneBody } from '../controllers/validation/phone';
import type { GraphqlContext } from '../strapi';
import type { PhoneNumber } from '../services/phone';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { asRestBody } from './arguments';
import { withGraphqlErrors } from './errors';

export interface BindPhoneArgs {
  code: string;
  appId?: string | null;
}

/** Mutation.wechatBindPhone: POST /api/strapi-wechat-miniprogram-auth/phone as a mutation (scope phone.bind, schema.ts). */
export function bindPhoneResolver(strapi: Strapi) {
  return (_parent: unknown, args: BindPhoneArgs, context: GraphqlContext): Promise<PhoneNumber> =>
    withGraphqlErrors(strapi, async () => {
      // Checked before anything else, as the REST body: a malformed request never reaches the billed API.
      const { code, appId } = await validatePhoneBody(asRestBody({ ...args }));
      const userId = Number(context.state.user?.id);
      // The scope check passes an API token with full access too: only a user has a phone to bind.
      if (!Number.isSafeInteger(userId)) throw new errors.UnauthorizedError('Log in first: this mutation needs the JWT of a users-permissions user');
      // The budget of POST /phone, per user.
      await getService(strapi, 'rateLimits').consumeUser(context.koaContext, 'phone', userId);
      return getService(strapi, 'phone').bind({ userId, appId, code });
    });
}
