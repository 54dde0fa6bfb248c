import contentTypes from '../content-types';
import { disableGraphqlShadowCrud, graphqlShadowCrud, hasGraphqlPlugin, useGraphqlExtension } from '../strapi';
import type { Strapi } from '../types';
import { PLUGIN_ID } from '../utils/plugin-id';
import { loginResolver } from './login';
import { bindPhoneResolver } from './phone';
import { resolversConfig, typeDefs } from './schema';

/** Every content type of this plugin: identities, access tokens, login activity, QR login tickets, the admin audit, 0.0.5's credentials. */
const PLUGIN_CONTENT_TYPE_UIDS = Object.keys(contentTypes).map((name) => `plugin::${PLUGIN_ID}.${name}`);

/**
 * The GraphQL mutations (README, "GraphQL"), when the app has @strapi/plugin-graphql; without it
 * nothing happens. The plugin's content types are internal: the GraphQL plugin generates nothing for
 * them, so no API token (a read-only one passes any find scope) reads openids, unionids or tokens
 * through it. In register(): the GraphQL plugin builds its schema in its bootstrap.
 */
export function registerGraphql(strapi: Strapi): void {
  if (!hasGraphqlPlugin(strapi)) return;
  disableGraphqlShadowCrud(strapi, PLUGIN_CONTENT_TYPE_UIDS);
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
