/**
 * GraphQL arguments as the REST body parser would hand them to the same validation: plain JSON
 * objects (graphql-js builds input objects without a prototype), a null optional field the same as
 * an absent one (GraphQL clients send null for "not given"; REST would refuse it).
 */
export function asRestBody(args: Record<string, unknown>): Record<string, unknown> {
  const body = JSON.parse(JSON.stringify(args)) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}
