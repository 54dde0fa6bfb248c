/**
 * POST /wxa/business/getuserphonenumber?access_token= { code, openid? }: a phone code → the user's number.
 *
 * Codes: those minted by issuePhoneCode (single-use, codeTtlMs, tied to their app), and `phone_<user>_<nonce>`
 * (any app, phoneNumberFor(user)). Errcodes: 47001 body not a JSON object; 40029 missing, unknown, expired or
 * another app's code; 40163 code already used; 40003 `openid` given but not the code's user in this app (the code
 * is not used up then). Each success is billed (stats.phoneBilled).
 */
import { wxError } from '../errors';
import { phoneNumberFor, SimulatorState, USER_PATTERN } from '../state';
import type { PhoneInfo } from '../types';
import { Endpoint, str } from './endpoint';

function resolve(state: SimulatorState, code: string, appId: string): { user: string; phone: PhoneInfo; issuedAt: number } | null {
  const minted = state.phoneCodes.get(code);
  if (minted) return minted.appId === appId && minted.expiresAt > state.now() ? minted : null;
  const m = /^phone_([^_]+)_[A-Za-z0-9-]+$/.exec(code);
  return m && USER_PATTERN.test(m[1]) ? { user: m[1], phone: phoneNumberFor(m[1]), issuedAt: state.now() } : null;
}

export const phoneNumber: Endpoint = {
  method: 'POST',
  path: '/wxa/business/getuserphonenumber',
  api: 'phone',
  needsToken: true,
  faultCode: (req) => str(req.json?.code),
  handle(state, req, appId) {
    if (!req.json || !appId) return { json: wxError(47001) };
    const code = str(req.json.code);
    if (!code) return { json: wxError(40029) };
    if (state.usedPhoneCodes.has(code)) return { json: wxError(40163) };
    const found = resolve(state, code, appId);
    if (!found) return { json: wxError(40029) };
    if (req.json.openid !== undefined && req.json.openid !== state.rememberUser(appId, found.user)) return { json: wxError(40003) };

    state.usedPhoneCodes.add(code);
    state.phoneCodes.delete(code);
    state.stats.phoneBilled[appId] = (state.stats.phoneBilled[appId] ?? 0) + 1;
    return {
      json: {
        errcode: 0,
        errmsg: 'ok',
        phone_info: { ...found.phone, watermark: { timestamp: Math.floor(found.issuedAt / 1000), appid: appId } },
      },
    };
  },
};
