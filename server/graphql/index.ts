import { graphqlShadowCrud, hasGraphqlPlugin, useGraphqlExtension } from '../strapi';
import type { Strapi } from '../types';
import { loginResolver } from './login';
import { bindPhoneResolver } from './phone';
import { resolversConfig, typeDefs } from './schema';

/**
 * The GraphQL mutations (README, "GraphQL"), when the app has @strapi/plugin-graphql; without it
 * nothing happens. In register(): the GraphQL plugin builds its schema in its bootstrap.
 */
export function registerGraphql(strapi: Strapi): void {
  if (!hasGraphqlPlugin(strapi)) return;
  if (!graphqlShadowCrud(strapi)) {
    // users-permissions registers UsersPermissionsLoginPayload only with shadowCRUD on: nothing to answer with.
    strapi.log.warn('[wechat-auth] GraphQL: shadowCRUD is off, so the wechatMiniProgramLogin and wechatBindPhone mutations are not added');
    return;
  }
  useGraphqlExtension(strapi, () => ({
    typeDefs,
    resolvers: { Mutation: { wechatMiniProgramLogin: loginResolver(strapi), wechatBindPhone: bindPhoneResolver(strapi) } },
    resolversConfig,
  }));
}
