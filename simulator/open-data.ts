/**
 * Encrypted open data as WeChat hands it to a mini program (wx.getWeRunData, wx.getShareInfo,
 * wx.getGroupEnterInfo...): the JSON object with a `watermark`, AES-128-CBC with PKCS#7 padding,
 * key = the user's session_key (base64-decoded), a random 16-byte iv; both base64.
 */
import { createCipheriv, createHmac, randomBytes } from 'crypto';
import type { EncryptedData, WeRunData } from './types';

const DAY_MS = 24 * 3600 * 1000;
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

export function encryptOpenData(sessionKey: string, payload: Record<string, unknown>): EncryptedData {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), iv);
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
}

/** wx.getWeRunData's content for `user`: 31 days up to today (Beijing days), steps derived from the user and the day. */
export function weRunDataFor(user: string, now: number): WeRunData {
  const today = Math.floor((now + BEIJING_OFFSET_MS) / DAY_MS);
  const stepInfoList = Array.from({ length: 31 }, (_, i) => {
    const day = today - 30 + i;
    const step = createHmac('sha256', 'werun').update(`${user} ${day}`).digest().readUInt32BE(0) % 20_000;
    return { timestamp: (day * DAY_MS - BEIJING_OFFSET_MS) / 1000, step };
  });
  return { stepInfoList };
}
