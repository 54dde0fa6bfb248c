import { errors, yup, validateYupSchema } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../../utils/app-id';
import { jsonBody } from './json-body';

/** A ticket as the plugin makes them (18 random bytes, base64url): also a valid WeChat scene. */
const TICKET_PATTERN = /^[A-Za-z0-9_-]{24}$/;
/** A secret as the plugin makes them (32 random bytes, base64url). */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const SECRET_HEADER = 'x-login-secret';

const createBodySchema = jsonBody({
  appId: yup.string().strict().typeError('appId must be a string').matches(APP_ID_PATTERN, APP_ID_FORMAT),
});
const validateCreateShape = validateYupSchema(createBodySchema, { strict: true, abortEarly: false });

/** POST /qr-logins `{ appId? }` (an empty body is the default app). */
export async function validateCreateBody(body: unknown): Promise<{ appId?: string }> {
  return (await validateCreateShape(body ?? {})) as { appId?: string };
}

/** The :ticket of the URL. Messages never echo it. */
export function validateTicket(ticket: unknown): string {
  if (typeof ticket !== 'string' || !TICKET_PATTERN.test(ticket)) {
    throw new errors.ValidationError('The ticket is not a login ticket (the scene of the code, decoded: decodeURIComponent(query.scene))', {
      errors: [{ path: ['ticket'], message: 'not a login ticket' }],
    });
  }
  return ticket;
}

/** The X-Login-Secret header: only there, never in the URL (URLs end up in logs and histories). */
export function validateSecretHeader(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !value) {
    throw new errors.ValidationError('Send the secret of the ticket in the X-Login-Secret header', {
      errors: [{ path: ['X-Login-Secret'], message: 'required' }],
    });
  }
  if (!SECRET_PATTERN.test(value)) {
    throw new errors.ValidationError('X-Login-Secret is not the secret of a login ticket', { errors: [{ path: ['X-Login-Secret'], message: 'malformed' }] });
  }
  return value;
}
