import { errors, yup, validateYupSchema } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../../utils/app-id';
import { jsonBody } from './json-body';

/**
 * The code a `<button open-type="getPhoneNumber">` hands the mini program (`e.detail.code`), in
 * the shape login codes have: 1–128 printable ASCII characters. Checked before WeChat is called
 * (each successful getuserphonenumber call is billed).
 */
export const phoneCode = (field: string, { required = false } = {}) => {
  const schema = yup
    .string()
    .strict()
    .typeError(`${field} must be a string: the code from the getPhoneNumber button (e.detail.code)`)
    .max(128, `${field} is too long`)
    .matches(/^[\x21-\x7e]+$/, { message: `${field} has characters getPhoneNumber never produces`, excludeEmptyString: true });
  const empty = `${field} is required: send the code from the getPhoneNumber button (e.detail.code)`;
  // required() refuses undefined and ''; an optional code may be absent, not empty.
  return required ? schema.required(empty) : schema.min(1, empty);
};

const phoneBodySchema = jsonBody({
  code: phoneCode('code', { required: true }),
  appId: yup.string().strict().typeError('appId must be a string').matches(APP_ID_PATTERN, APP_ID_FORMAT),
});

const validateShape = validateYupSchema(phoneBodySchema, { strict: true, abortEarly: false });

export interface PhoneBody {
  code: string;
  appId?: string;
}

/** POST /api/strapi-wechat-miniprogram-auth/phone `{ code, appId? }`. */
export async function validatePhoneBody(body: unknown): Promise<PhoneBody> {
  if (body === undefined || body === null) throw new errors.ValidationError('The body must be a JSON object', {});
  return (await validateShape(body)) as PhoneBody;
}
