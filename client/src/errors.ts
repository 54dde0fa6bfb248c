/** Strapi's error format: `{ data: null, error: { status, name, message, details } }`. */
export interface StrapiErrorBody {
  status: number;
  name: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Every failure of the client: an answer of the server (its status, name, message and details as Strapi sent them),
 * or no answer at all (status 0: `NetworkError`, `TimeoutError`, or `LoginError` when the platform's login failed).
 */
export class StrapiError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(body: StrapiErrorBody) {
    super(body.message);
    this.name = body.name;
    this.status = body.status;
    this.details = body.details || {};
  }

  /** `details.reason`, where the plugin gives one (`invalid_code`, `session_expired`, ...). */
  get reason(): string | undefined {
    return typeof this.details.reason === 'string' ? this.details.reason : undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The error for a non-2xx answer: Strapi's own when the body has one, otherwise one named after the status. */
export function errorFromResponse(statusCode: number, body: unknown): StrapiError {
  const error = isObject(body) ? body.error : undefined;
  if (isObject(error) && typeof error.message === 'string') {
    return new StrapiError({
      status: typeof error.status === 'number' ? error.status : statusCode,
      name: typeof error.name === 'string' ? error.name : 'HttpError',
      message: error.message,
      details: isObject(error.details) ? error.details : {},
    });
  }
  return new StrapiError({ status: statusCode, name: 'HttpError', message: `Request failed with status ${statusCode}` });
}

/** A platform call that reported failure (`fail`), or never reported at all. */
export function errorFromFailure(errMsg: string, fallbackName = 'NetworkError'): StrapiError {
  return new StrapiError({ status: 0, name: /timeout/i.test(errMsg) ? 'TimeoutError' : fallbackName, message: errMsg });
}
