import { yup, validateYupSchema } from '@strapi/utils';
import { jsonBody } from './json-body';
import { plainText } from './text';
import { isDatabaseId, MAX_ID } from '../../utils/database-id';

/** The longest search term: more than any openid, unionid, phone number, nickname or email. */
export const SEARCH_TERM_MAX = 128;

const validate =
  <T>(schema: yup.AnySchema) =>
  (input: unknown) =>
    validateYupSchema(schema, { strict: true, abortEarly: false })(input ?? {}) as Promise<T>;

/** A database id as a route parameter: digits only, no sign, no leading zero, at most MAX_ID. */
const idParam = (field: string) =>
  yup
    .string()
    .strict()
    .typeError(`${field} must be an id`)
    .required(`${field} is required`)
    .matches(/^[1-9]\d{0,9}$/, `${field} must be a positive whole number`)
    .test('max-id', `${field} must be at most ${MAX_ID}`, (value) => value === undefined || isDatabaseId(value));

/** POST /users/search: the term in the body, so that an openid or a phone number stays out of URLs and access logs. */
export const validateSearch = validate<{ term: string }>(
  jsonBody({
    term: plainText('term', SEARCH_TERM_MAX)
      .required('term is required')
      .test('not-blank', 'term must not be empty', (value) => typeof value === 'string' && value.trim().length > 0),
  })
);

const params = (fields: Record<string, yup.AnySchema>) => yup.object(fields).noUnknown(false).required();

/** The :id of a user route. */
export const validateUserParams = async (input: unknown): Promise<{ id: number }> => {
  const { id } = await validate<{ id: string }>(params({ id: idParam('id') }))(input);
  return { id: Number(id) };
};

/** The :id and :identityId of the detach route. */
export const validateIdentityParams = async (input: unknown): Promise<{ id: number; identityId: number }> => {
  const { id, identityId } = await validate<{ id: string; identityId: string }>(params({ id: idParam('id'), identityId: idParam('identityId') }))(input);
  return { id: Number(id), identityId: Number(identityId) };
};
