import { createRequire } from 'module';
import { errors } from '@strapi/utils';
import { describeFailure } from '../wechat/errors';

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
 * @strapi/utils has no error for 409 and 422 at all.
 */
export function httpError(status: 403 | 409 | 410 | 422 | 502 | 503 | 504, message: string, details: Record<string, unknown> = {}): Error {
  return createError(status, message, { details, expose: true });
}

/** A WeChat failure (server/wechat/errors.ts) as the error Strapi renders; any other error is passed on as it is. */
export function wechatFailureToHttpError(error: unknown): Error {
  const failure = describeFailure(error);
  if (!failure) return error instanceof Error ? error : new Error('Unknown failure');
  switch (failure.kind) {
    case 'application':
      return new errors.ApplicationError(failure.message, failure.details);
    case 'rate-limit':
      return new errors.RateLimitError(failure.message, failure.details);
    default:
      return createError(failure.status, failure.message, { details: failure.details, expose: true });
  }
}

/** Turns a failed code2session call into the error the mini program receives. */
export const code2sessionFailureToHttpError = wechatFailureToHttpError;
