import { yup } from '@strapi/utils';

/** An object as JSON.parse makes it: not an array, no prototype but Object's (or none), no own `__proto__` key. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !Object.prototype.hasOwnProperty.call(value, '__proto__');
}

/**
 * A JSON object body with exactly these fields (an unknown one is refused by name). The messages
 * are fixed: yup's default type messages print the value received, which may hold a secret.
 */
export const jsonBody = (fields: Record<string, yup.AnySchema>) =>
  yup
    .object(fields)
    .typeError('The body must be a JSON object')
    .noUnknown(true, 'Unknown field: ${unknown}')
    .strict()
    .test('plain-object', 'The body must be a JSON object', (value) => isPlainObject(value))
    .required('The body must be a JSON object');
