// What both majors' fetch clients have in common, and how a failed request reads on either.

/**
 * What the admin page needs of Strapi's fetch client: helper-plugin's `useFetchClient()` on Strapi 4 (axios) and
 * `@strapi/strapi/admin`'s on Strapi 5 (fetch) both answer `{ data }`, the JSON body.
 */
export interface FetchClient {
  get<T>(url: string): Promise<{ data: T }>;
  post<T>(url: string, body?: unknown): Promise<{ data: T }>;
  put<T>(url: string, body?: unknown): Promise<{ data: T }>;
  del<T>(url: string): Promise<{ data: T }>;
}

export interface FieldError {
  /** The server's words (English). */
  message: string;
  /** Set by the settings controller's own checks, e.g. 'duplicate', 'no_secret': the page has its own words for these. */
  reason?: string;
}

/** The settings controller's own ValidationErrors (`details: { appId, reason }`) name no field: the field each reason is about. */
const REASON_FIELDS: Record<string, string> = { duplicate: 'appId', no_secret: 'appSecret' };

/**
 * The field errors of a Strapi ValidationError (400), by field name: yup's (`details.errors[].path`)
 * and the controller's own (`details.reason`, see REASON_FIELDS). Null when the error is about no field.
 */
export function fieldErrorsOf(error: unknown): Record<string, FieldError> | null {
  type Details = { errors?: { path?: string[]; message?: string }[]; reason?: string };
  const body = (error as { response?: { data?: { error?: { name?: string; message?: string; details?: Details } } } } | null)?.response?.data?.error;
  if (httpStatusOf(error) !== 400 || body?.name !== 'ValidationError') return null;
  const fields: Record<string, FieldError> = {};
  for (const item of body.details?.errors ?? []) {
    const field = item.path?.[0];
    if (field && item.message && !fields[field]) fields[field] = { message: item.message };
  }
  const reason = body.details?.reason;
  if (reason && REASON_FIELDS[reason] && !fields[REASON_FIELDS[reason]]) fields[REASON_FIELDS[reason]] = { message: body.message ?? reason, reason };
  return Object.keys(fields).length ? fields : null;
}

/**
 * The HTTP status of a failed request: an axios error's `response.status` (Strapi 4), a FetchError's `status`
 * (Strapi 5, whose `response` is only `{ data }`).
 */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { response, status } = error as { response?: { status?: unknown }; status?: unknown };
  const found = response?.status ?? status;
  return typeof found === 'number' ? found : undefined;
}
