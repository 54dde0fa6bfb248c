/**
 * What a caller of POST /graphql sees of the schema, through introspection (Strapi 4 and 5).
 */
import request from 'supertest';

/** What supertest accepts: the app's URL or an http.Server. */
type Target = Parameters<typeof request>[0];

export interface SchemaNames {
  types: string[];
  queries: string[];
  mutations: string[];
}

const INTROSPECTION = '{ __schema { types { name } queryType { fields { name } } mutationType { fields { name } } } }';

/** The names of the schema's types, queries and mutations, as introspected with `token`. */
export async function schemaNames(server: Target, token?: string): Promise<SchemaNames> {
  const req = request(server).post('/graphql');
  if (token) req.set('Authorization', `Bearer ${token}`);
  const res = await req.send({ query: INTROSPECTION });
  if (res.status !== 200 || res.body.errors) throw new Error(`introspection answered ${res.status}: ${res.text}`);
  const schema = res.body.data.__schema as {
    types: Array<{ name: string }>;
    queryType: { fields: Array<{ name: string }> };
    mutationType: { fields: Array<{ name: string }> };
  };
  return {
    types: schema.types.map((t) => t.name),
    queries: schema.queryType.fields.map((f) => f.name),
    mutations: schema.mutationType.fields.map((f) => f.name),
  };
}

/**
 * The names the GraphQL plugin generates for this plugin's content types: it names them after the
 * plugin and the content type (StrapiWechatMiniprogramAuthIdentity, strapiWechatMiniprogramAuthIdentities,
 * createStrapiWechatMiniprogramAuthIdentity, StrapiWechatMiniprogramAuthAccessTokenFiltersInput, ...).
 * The plugin's own additions (wechatMiniProgramLogin, WechatPhoneNumber, ...) do not carry that prefix.
 */
export function generatedForPlugin(names: SchemaNames): SchemaNames {
  const ours = (name: string) => name.toLowerCase().includes('strapiwechatminiprogramauth');
  return { types: names.types.filter(ours), queries: names.queries.filter(ours), mutations: names.mutations.filter(ours) };
}
