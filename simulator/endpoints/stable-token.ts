/** POST /cgi-bin/stable_token: the AppID's access token, normal mode or force_refresh (see ../tokens.ts). */
import { rid, wxError } from '../errors';
import type { Endpoint } from './endpoint';

export const stableToken: Endpoint = {
  method: 'POST',
  path: '/cgi-bin/stable_token',
  api: 'stableToken',
  needsToken: false,
  appIdOf: (req) => (typeof req.json?.appid === 'string' && req.json.appid) || undefined,
  received(state, req, appId) {
    if (req.json?.force_refresh === true) state.count('stableTokenForced', appId);
  },
  handle(state, req) {
    const { grant_type, appid, secret, force_refresh } = req.json ?? {};
    if (grant_type !== 'client_credential') return { json: wxError(40002) };
    if (typeof appid !== 'string' || !appid) return { json: wxError(41002) };
    const app = state.apps.get(appid);
    if (!app) return { json: wxError(40013) };
    if (typeof secret !== 'string' || !secret) return { json: wxError(41004) };
    if (secret !== app.appSecret) return { json: wxError(40125) };
    if (app.ipWhitelisted === false) {
      return { json: { errcode: 40164, errmsg: `invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist, rid: ${rid()}` } };
    }
    if (force_refresh === true) {
      const answer = state.tokens.force(appid);
      return { json: 'errcode' in answer ? wxError(answer.errcode) : answer };
    }
    return { json: state.tokens.normal(appid) };
  },
};
