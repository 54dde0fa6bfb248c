import { errors, yup, validateYupSchema } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../../utils/app-id';
import { phoneCode } from './phone';
import { plainText } from './text';
import { isPlainObject } from './json-body';

// userInfo is whatever the client chose to send (WeChat no longer vouches for it): accept only
// the known profile fields, with bounded sizes, in a plain object.
const userInfoSchema = yup
  .object({
    nickName: plainText('userInfo.nickName', 64),
    avatarUrl: plainText('userInfo.avatarUrl', 1024).matches(/^https?:\/\/[^\s]+$/, { message: 'avatarUrl must be an http(s) URL', excludeEmptyString: true }),
    gender: yup.number().strict().oneOf([0, 1, 2]),
    language: plainText('userInfo.language', 32),
    city: plainText('userInfo.city', 64),
    province: plainText('userInfo.province', 64),
    country: plainText('userInfo.country', 64),
    is_demote: yup.boolean().strict(),
  })
  .noUnknown(true, 'userInfo has an unknown field: ${unknown}')
  .strict()
  .test('plain-object', 'userInfo must be a plain JSON object', (value) => value === undefined || isPlainObject(value))
  .default(undefined);

const loginBodySchema = yup
  .object({
    code: yup
      .string()
      .strict()
      .required('code is required: send the code from wx.login()')
      .min(1)
      .max(128, 'code is too long')
      .matches(/^[\x21-\x7e]+$/, 'code has characters wx.login() never produces'),
    appId: yup.string().strict().matches(APP_ID_PATTERN, APP_ID_FORMAT),
    userInfo: userInfoSchema,
    // Optional: bind the phone number in the same request (checked here, before any WeChat call).
    phoneCode: phoneCode('phoneCode'),
    // Strapi 5, jwtManagement 'refresh': names the session's device, as users-permissions' own login does.
    deviceId: plainText('deviceId', 128),
  })
  .strict()
  .test('plain-object', 'The body must be a JSON object', (value) => isPlainObject(value))
  .required('The body must be a JSON object');

const validateShape = validateYupSchema(loginBodySchema, { strict: true, abortEarly: false });

// The valid body is 3 levels deep. Deeper values are refused before yup sees them: its error
// messages print the value recursively, and thousands of nested brackets overflow the stack.
const MAX_DEPTH = 4;

function nestedTooDeep(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > MAX_DEPTH) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

export async function validateLoginBody(body: unknown): Promise<unknown> {
  if (nestedTooDeep(body)) throw new errors.ValidationError('The body is nested too deeply', {});
  return validateShape(body);
}
