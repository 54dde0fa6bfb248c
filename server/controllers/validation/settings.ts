import { yup, validateYupSchema } from '@strapi/utils';

export const APP_ID_PATTERN = /^wx[0-9a-f]{16}$/i;
export const APP_SECRET_PATTERN = /^[0-9a-f]{32}$/i;

const APP_ID_FORMAT = 'AppID must be "wx" followed by 16 hexadecimal characters';
const APP_SECRET_FORMAT = 'AppSecret must be 32 hexadecimal characters';

/** What the validation needs to know about the current settings. */
export interface SettingsContext {
  appIdFromConfig: boolean;
  appSecretFromConfig: boolean;
  /** An AppID / AppSecret is already in effect (config or store). */
  hasAppId: boolean;
  hasAppSecret: boolean;
}

const readOnlyMessage = (field: string) =>
  `${field} is set in config/plugins and cannot be changed from the admin panel; remove it there to manage it here`;

const isPlainObject = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

const body = (fields: Record<string, yup.AnySchema>) =>
  yup
    .object(fields)
    .noUnknown(true, 'Unknown field: ${unknown}')
    .strict()
    .test('plain-object', 'The body must be a JSON object', (value) => isPlainObject(value))
    .required('The body must be a JSON object');

/**
 * PUT /settings: `{ appId?, appSecret? }`. An absent AppID keeps the stored one; an absent or
 * empty AppSecret keeps the stored one (the secret is write-only, so the form never has it).
 * A field set in config/plugins cannot be saved here: the config would win anyway.
 */
const saveSchema = body({
  appId: yup
    .string()
    .strict()
    .test('read-only', readOnlyMessage('AppID'), (value, { options }) => value === undefined || !ctx(options).appIdFromConfig)
    .test('required', 'AppID is required', (value, { options }) => value !== undefined || ctx(options).hasAppId)
    .matches(APP_ID_PATTERN, APP_ID_FORMAT),
  appSecret: yup
    .string()
    .strict()
    .test('read-only', readOnlyMessage('AppSecret'), (value, { options }) => !value || !ctx(options).appSecretFromConfig)
    .test('required', 'AppSecret is required: none is stored yet', (value, { options }) => Boolean(value) || ctx(options).hasAppSecret)
    .matches(APP_SECRET_PATTERN, { message: APP_SECRET_FORMAT, excludeEmptyString: true }),
});

/** POST /settings/test: each field entered here, or left out (or empty) to test the one in effect. */
const testSchema = body({
  appId: yup
    .string()
    .strict()
    .test('required', 'No AppID entered or configured', (value, { options }) => Boolean(value) || ctx(options).hasAppId)
    .matches(APP_ID_PATTERN, { message: APP_ID_FORMAT, excludeEmptyString: true }),
  appSecret: yup
    .string()
    .strict()
    .test('required', 'No AppSecret entered or stored', (value, { options }) => Boolean(value) || ctx(options).hasAppSecret)
    .matches(APP_SECRET_PATTERN, { message: APP_SECRET_FORMAT, excludeEmptyString: true }),
});

function ctx(options: { context?: unknown }): SettingsContext {
  return options.context as SettingsContext;
}

export interface SettingsInput {
  appId?: string;
  appSecret?: string;
}

export const validateSettingsBody = (input: unknown, context: SettingsContext) =>
  validateYupSchema(saveSchema, { strict: true, abortEarly: false, context })(input) as Promise<SettingsInput>;

export const validateTestBody = (input: unknown, context: SettingsContext) =>
  validateYupSchema(testSchema, { strict: true, abortEarly: false, context })(input ?? {}) as Promise<SettingsInput>;
