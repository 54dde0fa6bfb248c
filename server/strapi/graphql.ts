/**
 * The GraphQL plugin (@strapi/plugin-graphql), when the app has it: its extension service, which
 * takes SDL type definitions, resolvers and their auth config, and the GraphQLError class of the
 * graphql copy that plugin runs on (its error formatting passes such errors through unchanged).
 */
import { createRequire } from 'module';
import type { Context } from 'koa';
import type { Strapi } from './types';

/** What a resolver of this plugin gets as its third argument (the GraphQL plugin's context). */
export interface GraphqlContext {
  /** The request's koa state: `user` and `auth` as users-permissions authenticated it. */
  state: { user?: { id?: unknown }; auth?: unknown };
  koaContext: Context;
}

export type GraphqlResolver<Args> = (parent: unknown, args: Args, context: GraphqlContext) => Promise<unknown>;

/** `auth: false` (public) or the content-API actions the caller's role must have. */
export type GraphqlAuth = false | { scope: string[] };

export interface GraphqlExtension {
  typeDefs: string;
  resolvers: { Mutation: Record<string, GraphqlResolver<never>> };
  resolversConfig: Record<string, { auth: GraphqlAuth }>;
}

interface ExtensionService {
  use(extension: () => GraphqlExtension): unknown;
  shadowCRUD(uid: string): { disable(): unknown };
}

interface GraphqlPlugin {
  config(key: string, defaultValue?: unknown): unknown;
  service(name: 'extension'): ExtensionService;
}

/** The GraphQL plugin, or null when the app does not have it. */
function graphqlPlugin(strapi: Strapi): GraphqlPlugin | null {
  // Common.Plugin in Strapi's typings, undefined at run time for a plugin the app does not have.
  const plugin: unknown = strapi.plugin('graphql');
  return (plugin as GraphqlPlugin | undefined) ?? null;
}

export function hasGraphqlPlugin(strapi: Strapi): boolean {
  return graphqlPlugin(strapi) !== null;
}

/** Registers `extension` with the GraphQL plugin (in register(): the plugin builds its schema in its bootstrap). */
export function useGraphqlExtension(strapi: Strapi, extension: () => GraphqlExtension): void {
  const plugin = graphqlPlugin(strapi);
  if (!plugin) throw new Error('[wechat-auth] the GraphQL plugin (@strapi/plugin-graphql) is not loaded');
  plugin.service('extension').use(extension);
}

/**
 * Keeps the GraphQL plugin from generating types, queries and mutations for these content types
 * (it generates them for every content type but admin::'s). In register(): it reads the setting in its bootstrap.
 */
export function disableGraphqlShadowCrud(strapi: Strapi, uids: string[]): void {
  const plugin = graphqlPlugin(strapi);
  if (!plugin) throw new Error('[wechat-auth] the GraphQL plugin (@strapi/plugin-graphql) is not loaded');
  for (const uid of uids) plugin.service('extension').shadowCRUD(uid).disable();
}

/** The GraphQL plugin's `shadowCRUD` setting: without it users-permissions registers none of its GraphQL types. */
export function graphqlShadowCrud(strapi: Strapi): boolean {
  return graphqlPlugin(strapi)?.config('shadowCRUD', true) !== false;
}

export type GraphQLErrorClass = new (
  message: string,
  nodes?: null,
  source?: null,
  positions?: null,
  path?: null,
  originalError?: null,
  extensions?: Record<string, unknown>
) => Error;

let errorClass: GraphQLErrorClass | null = null;

/**
 * GraphQLError from the graphql package the GraphQL plugin loads (resolved from where Strapi
 * resolves its plugins): the plugin's error formatting recognises it with `instanceof`.
 */
export function graphqlErrorClass(): GraphQLErrorClass {
  if (errorClass) return errorClass;
  const fromStrapi = createRequire(require.resolve('@strapi/strapi'));
  const fromPlugin = createRequire(fromStrapi.resolve('@strapi/plugin-graphql/package.json'));
  errorClass = (fromPlugin('graphql') as { GraphQLError: GraphQLErrorClass }).GraphQLError;
  return errorClass;
}
