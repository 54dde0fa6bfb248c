import { usersPermissions, type GraphqlContext } from '../strapi';
import { validateLoginBody } from '../controllers/validation/login';
import type { LoginBody, Strapi } from '../types';
import { getService } from '../utils/get-service';
import type { PhoneBinding } from '../services/phone';
import { asRestBody } from './arguments';
import { withGraphqlErrors } from './errors';
import { loginRateLimit } from './rate-limit';

export interface LoginArgs {
  input: Record<string, unknown>;
}

/** UsersPermissionsLoginPayload, with the phone binding when a phoneCode was sent. */
export interface LoginPayload {
  jwt: string;
  user: Record<string, unknown>;
  wechatPhone: PhoneBinding | null;
}

/** Mutation.wechatMiniProgramLogin: the REST login (POST /strapi-wechat-miniprogram-auth/login) as a mutation. */
export function loginResolver(strapi: Strapi) {
  const rateLimited = loginRateLimit(strapi);
  return (_parent: unknown, { input }: LoginArgs, context: GraphqlContext): Promise<LoginPayload> =>
    withGraphqlErrors(strapi, () =>
      rateLimited(context.koaContext, async () => {
        const body = (await validateLoginBody(asRestBody(input))) as LoginBody;
        const { token, user, phone } = await getService(strapi, 'login').login(
          { code: body.code, appId: body.appId, userInfo: body.userInfo, phoneCode: body.phoneCode, deviceId: body.deviceId },
          { userAgent: context.koaContext.request.headers['user-agent'] }
        );
        // Sanitized as users-permissions' own login mutation does (its controller's output).
        return { jwt: token, user: await usersPermissions.sanitizeUser(strapi, user, context.state.auth), wechatPhone: phone ?? null };
      })
    );
}
