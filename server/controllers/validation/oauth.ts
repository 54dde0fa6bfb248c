import { yup, validateYupSchema } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../../utils/app-id';
import { MAX_REDIRECT_LENGTH } from '../../oauth/redirect-allow-list';
import { jsonBody } from './json-body';
import { plainText } from './text';

const validate =
  <T>(schema: yup.AnySchema) =>
  (input: unknown) =>
    validateYupSchema(schema, { strict: true, abortEarly: false })(input ?? {}) as Promise<T>;

const appId = () => yup.string().strict().required('AppID is required').matches(APP_ID_PATTERN, APP_ID_FORMAT);
/** The login's state and code as this plugin issues them (64 hex digits): anything else is not one of ours. */
const token = (name: string) =>
  yup
    .string()
    .strict()
    .typeError(`${name} must be a string`)
    .required(`${name} is required`)
    .matches(/^[0-9a-f]{64}$/, `${name} is not one this server issued`);

/** GET /oauth/:appId/authorize?redirect= (the query's other parameters are ignored). */
export const validateAuthorize = validate<{ appId: string; redirect: string }>(
  yup.object({
    appId: appId(),
    redirect: yup
      .string()
      .strict()
      .typeError('redirect must be one URL')
      .required('redirect is required: the page to return to after the login')
      .max(MAX_REDIRECT_LENGTH, 'redirect is too long'),
  })
);

/** GET /oauth/:appId/callback?code&state, as WeChat sends the browser back (a refusal has no code). */
export const validateCallback = validate<{ appId: string; state: string; code?: string }>(
  yup.object({
    appId: appId(),
    state: token('state'),
    code: yup
      .string()
      .strict()
      .typeError('code must be one value')
      .max(256, 'code is too long')
      .matches(/^[\x21-\x7e]*$/, 'code has characters WeChat never produces'),
  })
);

/** POST /oauth/exchange */
export const validateExchange = validate<{ code: string; deviceId?: string }>(jsonBody({ code: token('code'), deviceId: plainText('deviceId', 128) }));
