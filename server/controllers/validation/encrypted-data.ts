import { errors, yup, validateYupSchema } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../../utils/app-id';
import { jsonBody } from './json-body';

/**
 * The largest `encryptedData` accepted, in base64 characters (24 KiB of ciphertext). WeChat's
 * payloads are far smaller: 31 days of wx.getWeRunData is about 2 KB, share and group info well
 * under 1 KB.
 */
export const MAX_ENCRYPTED_DATA_LENGTH = 32 * 1024;

/** Standard base64 (what the wx APIs hand the mini program), with its padding. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** 16 bytes (one AES block) in base64. */
const IV = /^[A-Za-z0-9+/]{22}==$/;
const BLOCK_BYTES = 16;

const base64Bytes = (text: string) => (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);

const encryptedDataSchema = yup
  .string()
  .strict()
  .typeError('encryptedData must be a string: the encryptedData the wx API returned')
  .required('encryptedData is required: send the encryptedData the wx API returned (e.g. wx.getWeRunData)')
  .max(MAX_ENCRYPTED_DATA_LENGTH, `encryptedData is too long (at most ${MAX_ENCRYPTED_DATA_LENGTH} characters)`)
  .matches(BASE64, { message: 'encryptedData must be base64 text, as the wx API returned it', excludeEmptyString: true })
  // AES-CBC ciphertext is whole 16-byte blocks, at least one.
  .test('blocks', 'encryptedData is not encrypted data: its length is not whole AES blocks', (value) => {
    if (typeof value !== 'string' || !BASE64.test(value)) return true;
    const bytes = base64Bytes(value);
    return bytes > 0 && bytes % BLOCK_BYTES === 0;
  });

const bodySchema = jsonBody({
  encryptedData: encryptedDataSchema,
  iv: yup
    .string()
    .strict()
    .typeError('iv must be a string: the iv the wx API returned')
    .required('iv is required: send the iv the wx API returned with encryptedData')
    .matches(IV, { message: 'iv must be 16 bytes in base64 (24 characters), as the wx API returned it', excludeEmptyString: true }),
  appId: yup.string().strict().typeError('appId must be a string').matches(APP_ID_PATTERN, APP_ID_FORMAT),
});

const validateShape = validateYupSchema(bodySchema, { strict: true, abortEarly: false });

export interface EncryptedDataBody {
  encryptedData: string;
  iv: string;
  appId?: string;
}

/** POST /api/strapi-wechat-miniprogram-auth/decrypt `{ encryptedData, iv, appId? }` (and the `sessions` service's decrypt input). */
export async function validateEncryptedDataBody(body: unknown): Promise<EncryptedDataBody> {
  if (body === undefined || body === null) throw new errors.ValidationError('The body must be a JSON object', {});
  return (await validateShape(body)) as EncryptedDataBody;
}
