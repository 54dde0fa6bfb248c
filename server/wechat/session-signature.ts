/**
 * WeChat's user-state signature (用户登录态签名), as /wxa/checksession checks it. Strapi-free.
 *
 * signature = hex(hmac_sha256(key = session_key, message = body)), the key being the session_key
 * text as code2session answered it (base64 text, not its decoded bytes: WeChat's documented example
 * only matches that way); for a GET such as checksession the body is "".
 */
import { createHmac } from 'crypto';

export const SIG_METHOD = 'hmac_sha256';

export function sessionSignature(sessionKey: string, body = ''): string {
  return createHmac('sha256', sessionKey).update(body).digest('hex');
}
