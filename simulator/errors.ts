import { randomBytes } from 'crypto';

/** WeChat's errmsg for each errcode the simulator answers (from its global and per-API errcode tables). */
export const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40037: 'invalid template_id',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40129: 'invalid scene',
  40163: 'code been used',
  40164: 'invalid ip, not in whitelist',
  40169: 'invalid length for scene, or the data is not json string',
  40226: 'invalid user, high risk',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  41009: 'missing openid',
  41030: 'invalid page',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  43101: 'user refuse to accept the msg',
  43104: 'appid and openid not match',
  44002: 'empty post data',
  45009: 'reach max api daily quota limit',
  48001: 'api unauthorized',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  47001: 'data format error',
  47003: 'argument invalid!',
  87009: 'invalid signature',
};

export interface WxError {
  errcode: number;
  errmsg: string;
}

export function rid(): string {
  return randomBytes(6).toString('hex');
}

/** `{ errcode, errmsg }` as WeChat words it: the message, an optional detail, then a request id. */
export function wxError(errcode: number, detail?: string): WxError {
  const message = ERRMSG[errcode] ?? 'error';
  return { errcode, errmsg: `${detail ? `${message} ${detail}` : message}, rid: ${rid()}` };
}
