/**
 * GET /sns/jscode2session: wx.login code → openid, session_key (, unionid).
 *
 * session_key: the user's current one in the app. A code minted by issueCode (a wx.login) renewed it when it was
 * minted; a `sim_<user>_<nonce>` code renews it here. So a later wx.login, even one whose code never reaches the
 * server, makes the key an earlier exchange returned outdated.
 */
import { wxError } from '../errors';
import { keep, SimulatorState, USER_PATTERN } from '../state';
import type { Endpoint } from './endpoint';

function userForCode(state: SimulatorState, code: string, appId: string): string | null {
  const minted = state.minted.get(code);
  if (minted) {
    return minted.appId === appId && minted.expiresAt > state.now() ? minted.user : null;
  }
  const m = /^sim_([^_]+)_[A-Za-z0-9-]+$/.exec(code);
  return m && USER_PATTERN.test(m[1]) ? m[1] : null;
}

export const code2session: Endpoint = {
  method: 'GET',
  path: '/sns/jscode2session',
  api: 'code2session',
  needsToken: false,
  appIdOf: (req) => req.query.get('appid') || undefined,
  faultCode: (req) => req.query.get('js_code'),
  received(state, req) {
    const code = req.query.get('js_code');
    if (code !== null) keep(state.receivedCodes, code);
  },
  handle(state, req) {
    const params = req.query;
    const appId = params.get('appid');
    const secret = params.get('secret');
    const code = params.get('js_code');
    if (!appId) return { json: wxError(41002) };
    const app = state.apps.get(appId);
    // Another kind of app (an Official Account, a website, a mobile app) has no jscode2session.
    if (!app || state.typeOf(appId) !== 'miniProgram') return { json: wxError(40013) };
    if (!secret) return { json: wxError(41004) };
    if (secret !== app.appSecret) return { json: wxError(40125) };
    if (params.get('grant_type') !== 'authorization_code') return { json: wxError(40002) };
    if (!code) return { json: wxError(41008) };
    if (state.used.has(code)) return { json: wxError(40163) };

    const user = userForCode(state, code, appId);
    if (!user) return { json: wxError(40029) };
    const minted = state.minted.has(code);
    state.used.add(code);
    state.minted.delete(code);

    const sessionKey = (minted && state.sessionKeyOf(appId, user)) || state.renewSessionKey(appId, user);
    const body: Record<string, string> = { session_key: sessionKey, openid: state.rememberUser(appId, user) };
    if (app.openPlatformId) body.unionid = state.unionidFor(app.openPlatformId, user);
    return { json: body };
  },
};
