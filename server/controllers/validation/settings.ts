import { yup, validateYupSchema } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN, APP_SECRET_FORMAT, APP_SECRET_PATTERN } from '../../utils/app-id';
import { displayName } from './text';
import { jsonBody } from './json-body';
import { APP_TYPES, type AppType } from '../../types';

export { APP_ID_PATTERN, APP_SECRET_PATTERN };

const body = jsonBody;

const appId = () => yup.string().strict().typeError('AppID must be a string').matches(APP_ID_PATTERN, APP_ID_FORMAT);
const appSecret = () =>
  yup.string().strict().typeError('AppSecret must be a string').matches(APP_SECRET_PATTERN, { message: APP_SECRET_FORMAT, excludeEmptyString: true });
const name = () => displayName('name', 64).trim('name must not start or end with spaces');
const type = () =>
  yup
    .string()
    .strict()
    .typeError('type must be a string')
    .oneOf([...APP_TYPES], `type must be one of ${APP_TYPES.join(', ')}`);

const validate =
  <T>(schema: yup.AnySchema) =>
  (input: unknown) =>
    validateYupSchema(schema, { strict: true, abortEarly: false })(input ?? {}) as Promise<T>;

/** POST /settings/apps */
export const validateNewApp = validate<{ appId: string; name?: string; appSecret: string; type?: AppType }>(
  body({
    appId: appId().required('AppID is required'),
    name: name(),
    type: type(),
    appSecret: appSecret().required('AppSecret is required').min(1, 'AppSecret is required'),
  })
);

/** PUT /settings/apps/:appId — an absent or empty AppSecret keeps the stored one (the field is write-only). */
export const validateAppChange = validate<{ name?: string; appSecret?: string; type?: AppType }>(body({ name: name(), appSecret: appSecret(), type: type() }));

/** PUT /settings/default */
export const validateDefault = validate<{ appId: string }>(body({ appId: appId().required('AppID is required') }));

/** POST /settings/test — the AppSecret entered, or none to test the one in effect. */
export const validateTest = validate<{ appId: string; appSecret?: string }>(body({ appId: appId().required('AppID is required'), appSecret: appSecret() }));

/** The :appId of a route. */
export const validateAppIdParam = validate<{ appId: string }>(body({ appId: appId().required('AppID is required') }));
