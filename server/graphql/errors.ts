import { errors } from '@strapi/utils';
import { graphqlErrorClass } from '../strapi';
import type { Strapi } from '../types';

const { ApplicationError, ForbiddenError, HttpError, UnauthorizedError, ValidationError } = errors;

/** The statuses Strapi's error middleware gives @strapi/utils' errors (most specific first; any other: 400). */
const STATUS_BY_CLASS: Array<[new (...args: never[]) => Error, number]> = [
  [errors.UnauthorizedError, 401],
  [errors.ForbiddenError, 403],
  [errors.NotFoundError, 404],
  [errors.PayloadTooLargeError, 413],
  [errors.RateLimitError, 429],
  [errors.NotImplementedError, 501],
];

/** The HTTP status the REST route answers this error with; null for errors not meant for clients. */
export function restStatus(error: unknown): number | null {
  if (error instanceof HttpError) return error.status;
  if (!(error instanceof ApplicationError)) return null;
  return STATUS_BY_CLASS.find(([type]) => error instanceof type)?.[1] ?? 400;
}

/** The code the GraphQL plugin gives this error itself (FORBIDDEN, BAD_USER_INPUT, STRAPI_<NAME>). */
function graphqlCode(error: Error): string {
  if (error instanceof ForbiddenError || error instanceof UnauthorizedError) return 'FORBIDDEN';
  if (error instanceof ValidationError) return 'BAD_USER_INPUT';
  return `STRAPI_${error.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/**
 * The error a resolver throws for a failure of the REST code path: what the GraphQL plugin would
 * make of it (`extensions: { code, error: { name, message, details } }`) plus the REST status in
 * `extensions.error.status`, so a client tells a 502 from a 504 as it does over REST. Any other error
 * is logged and answered "Internal Server Error", as REST does: the GraphQL plugin would pass a plain
 * Error's message on to the client.
 */
export function toGraphqlError(strapi: Strapi, error: unknown): Error {
  const GraphQLError = graphqlErrorClass();
  const status = restStatus(error);
  if (status === null || !(error instanceof Error)) {
    strapi.log.error(error instanceof Error ? error : String(error));
    return new GraphQLError('Internal Server Error', null, null, null, null, null, { code: 'INTERNAL_SERVER_ERROR' });
  }
  const details = (error as { details?: unknown }).details ?? {};
  return new GraphQLError(error.message, null, null, null, null, null, {
    code: graphqlCode(error),
    error: { status, name: error.name, message: error.message, details },
  });
}

/** Runs `work`, its failure thrown as toGraphqlError makes it. */
export async function withGraphqlErrors<T>(strapi: Strapi, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGraphqlError(strapi, error);
  }
}
