import { createRequire } from 'module';

// Strapi's error middleware recognises HTTP errors with `instanceof` against the http-errors copy
// that @strapi/utils loaded, so errors must be created by that very copy.
const requireFromUtils = createRequire(require.resolve('@strapi/utils'));
type CreateError = (status: number, message: string, props?: Record<string, unknown>) => Error;
const createError = requireFromUtils('http-errors') as CreateError;

/**
 * An error Strapi renders as `{ data: null, error: { status, name, message, details } }`.
 *
 * For 403 this is needed instead of @strapi/utils' ForbiddenError: Strapi's route authorization
 * wrapper catches a ForbiddenError thrown by any handler and replaces its message with "Forbidden".
 */
export function httpError(status: 403 | 502 | 503 | 504, message: string, details: Record<string, unknown> = {}): Error {
  return createError(status, message, { details, expose: true });
}
