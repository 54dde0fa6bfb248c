/**
 * WeChat's encrypted open data (wx.getWeRunData, wx.getShareInfo, wx.getGroupEnterInfo...): AES-128-CBC,
 * PKCS#7, key = base64-decode(session_key), iv = base64-decode(iv), plaintext JSON carrying a
 * `watermark: { appid, timestamp }`. Strapi-free.
 *
 * Every way decryption can fail (wrong or stale key, bad padding, bytes that are not UTF-8 JSON) is
 * one error with one message: telling them apart would hand a caller a padding oracle on the key.
 */
import { createDecipheriv } from 'crypto';

/** How old a watermark may be: the mini program sends the data right after WeChat produced it. */
export const WATERMARK_MAX_AGE_MS = 10 * 60 * 1000;
/** How far ahead of this server's clock a watermark may be (WeChat's clock against ours). */
export const WATERMARK_MAX_AHEAD_MS = 5 * 60 * 1000;

/** The data could not be decrypted with this session key. Deliberately says nothing more. */
export class OpenDataDecryptError extends Error {
  constructor() {
    super('The encrypted data could not be decrypted with the session key');
    this.name = 'OpenDataDecryptError';
  }
}

const SESSION_KEY_BYTES = 16;
const BLOCK_BYTES = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON value `encryptedData` holds. `encryptedData` and `iv` are base64 text whose shape the
 * caller has checked (iv: 16 bytes; data: whole blocks); anything else about them, and any key that
 * does not fit, throws OpenDataDecryptError.
 */
export function decryptOpenData({ sessionKey, encryptedData, iv }: { sessionKey: string; encryptedData: string; iv: string }): unknown {
  const key = Buffer.from(sessionKey, 'base64');
  const ivBytes = Buffer.from(iv, 'base64');
  const data = Buffer.from(encryptedData, 'base64');
  if (key.length !== SESSION_KEY_BYTES || ivBytes.length !== BLOCK_BYTES || data.length === 0 || data.length % BLOCK_BYTES !== 0) {
    throw new OpenDataDecryptError();
  }
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, ivBytes);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);
    return JSON.parse(utf8.decode(plain)) as unknown;
  } catch {
    throw new OpenDataDecryptError();
  }
}

export type WatermarkVerdict = 'ok' | 'wrong-app' | 'stale';

/**
 * Whether decrypted data was made for `appId` (its watermark.appid, case-insensitively) and recently
 * (watermark.timestamp, seconds, within WATERMARK_MAX_AGE_MS before `now` and WATERMARK_MAX_AHEAD_MS after).
 * No watermark, or one without an AppID, is not this app's data.
 */
export function checkWatermark(data: unknown, appId: string, now: number): WatermarkVerdict {
  const watermark = isObject(data) ? data.watermark : undefined;
  if (!isObject(watermark) || typeof watermark.appid !== 'string' || watermark.appid.toLowerCase() !== appId.toLowerCase()) return 'wrong-app';
  const { timestamp } = watermark;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return 'stale';
  const at = timestamp * 1000;
  return at < now - WATERMARK_MAX_AGE_MS || at > now + WATERMARK_MAX_AHEAD_MS ? 'stale' : 'ok';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
