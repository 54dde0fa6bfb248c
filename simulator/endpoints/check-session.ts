/**
 * GET /wxa/checksession?access_token=&openid=&signature=&sig_method=hmac_sha256: whether the server's session_key
 * of a user is the current one, without sending it: signature = hex(hmac_sha256(key = session_key, message = "")).
 *
 * Errcodes: 41009 openid missing **(choice)**; 40003 openid unknown to the simulator or of another app **(choice)**;
 * 87009 (invalid signature) for a signature that is not the current key's, a missing signature, a sig_method other
 * than hmac_sha256 **(choice)**, and a user with no session key in that app yet. Success `{ errcode: 0, errmsg: 'ok' }`.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import { wxError } from '../errors';
import type { Endpoint } from './endpoint';

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const checkSession: Endpoint = {
  method: 'GET',
  path: '/wxa/checksession',
  api: 'checkSession',
  needsToken: true,
  handle(state, req, appId) {
    const openid = req.query.get('openid');
    if (!openid) return { json: wxError(41009) };
    const user = state.userOf(openid);
    if (!user || user.appId !== appId) return { json: wxError(40003) };
    const signature = req.query.get('signature');
    const key = state.sessionKeyOf(user.appId, user.user);
    if (!signature || req.query.get('sig_method') !== 'hmac_sha256' || !key) return { json: wxError(87009) };
    const expected = createHmac('sha256', key).update('').digest('hex');
    return { json: sameSignature(expected, signature) ? { errcode: 0, errmsg: 'ok' } : wxError(87009) };
  },
};
