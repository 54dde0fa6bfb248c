import { createRequire } from 'module';

// Strapi's error middleware recognises HTTP errors with `instanceof` against the http-errors copy
// that @strapi/utils loaded, so errors must be created by that very copy.
const requireFromUtils = createRequire(require.resolve('@strapi/utils'));
const createError: (status: number, message: string, props?: Record<string, unknown>) => Error =
  requireFromUtils('http-errors');

/** A 5xx error rendered by Strapi as `{ data: null, error: { status, name, message, details } }`. */
export function upstreamError(status: 502 | 503 | 504, message: string, details: Record<string, unknown> = {}): Error {
  return createError(status, message, { details, expose: true });
}
