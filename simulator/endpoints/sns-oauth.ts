/**
 * The exchange of web and app logins (Official Account web authorization, website QR login, the Open SDK's code):
 *
 *   GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code
 *       → { access_token, expires_in: 7200, refresh_token, openid, scope, unionid? } (is_snapshotuser: 1 for a snapshot page's user)
 *   GET /sns/userinfo?access_token&openid&lang
 *       → { openid, nickname, sex, province, city, country, headimgurl, privilege, unionid? }
 *
 * Codes: those the consent pages (../oauth-pages.ts) or issueOAuthCode minted, and `sim_<user>_<nonce>` (any user,
 * the app's default scope: snsapi_login for a website, snsapi_userinfo otherwise). A mini program's AppID is 40013
 * **(choice)**, as jscode2session answers another kind of app.
 * Errcodes: access_token: 41002/40013 appid, 41004/40125 secret, 40002 grant_type, 41008 no code, 40163 code used,
 * 40029 unknown, expired or another app's code. userinfo: 41001 no token, 41009 no openid, 40001 unknown token **(choice)**,
 * 42001 expired token, 40003 openid not the token's, 48001 a snsapi_base token (no profile granted).
 */
import { randomBytes } from 'crypto';
import { wxError } from '../errors';
import { keep, USER_PATTERN, type SimulatorState } from '../state';
import type { OAuthScope } from '../types';
import type { Endpoint } from './endpoint';

const USER_TOKEN_TTL_SECONDS = 7200;

interface Grant {
  user: string;
  scope: OAuthScope;
  snapshot: boolean;
}

function grantFor(state: SimulatorState, code: string, appId: string): Grant | null {
  const minted = state.oauthCodes.get(code);
  if (minted) return minted.appId === appId && minted.expiresAt > state.now() ? minted : null;
  const m = /^sim_([^_]+)_[A-Za-z0-9-]+$/.exec(code);
  return m && USER_PATTERN.test(m[1]) ? { user: m[1], scope: state.defaultScope(appId), snapshot: false } : null;
}

export const snsAccessToken: Endpoint = {
  method: 'GET',
  path: '/sns/oauth2/access_token',
  api: 'snsAccessToken',
  needsToken: false,
  appIdOf: (req) => req.query.get('appid') || undefined,
  faultCode: (req) => req.query.get('code'),
  received(state, req) {
    const code = req.query.get('code');
    if (code !== null) keep(state.receivedCodes, code);
  },
  handle(state, req) {
    const params = req.query;
    const appId = params.get('appid');
    const secret = params.get('secret');
    const code = params.get('code');
    if (!appId) return { json: wxError(41002) };
    const app = state.apps.get(appId);
    if (!app || state.typeOf(appId) === 'miniProgram') return { json: wxError(40013) };
    if (!secret) return { json: wxError(41004) };
    if (secret !== app.appSecret) return { json: wxError(40125) };
    if (params.get('grant_type') !== 'authorization_code') return { json: wxError(40002) };
    if (!code) return { json: wxError(41008) };
    if (state.used.has(code)) return { json: wxError(40163) };
    const grant = grantFor(state, code, appId);
    if (!grant) return { json: wxError(40029) };
    state.used.add(code);
    state.oauthCodes.delete(code);

    const accessToken = randomBytes(32).toString('base64url');
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: USER_TOKEN_TTL_SECONDS,
      refresh_token: randomBytes(32).toString('base64url'),
      scope: grant.scope,
    };
    if (grant.snapshot) {
      // A virtual openid, never the user's own; no unionid.
      body.openid = 'o' + randomBytes(20).toString('base64url').slice(0, 27);
      body.is_snapshotuser = 1;
      return { json: body };
    }
    const openid = state.rememberUser(appId, grant.user);
    body.openid = openid;
    if (app.openPlatformId) body.unionid = state.unionidFor(app.openPlatformId, grant.user);
    state.snsTokens.set(accessToken, { appId, user: grant.user, openid, scope: grant.scope, expiresAt: state.now() + USER_TOKEN_TTL_SECONDS * 1000 });
    return { json: body };
  },
};

export const snsUserInfo: Endpoint = {
  method: 'GET',
  path: '/sns/userinfo',
  api: 'snsUserInfo',
  needsToken: false,
  handle(state, req) {
    const token = req.query.get('access_token');
    const openid = req.query.get('openid');
    if (!token) return { json: wxError(41001) };
    if (!openid) return { json: wxError(41009) };
    const granted = state.snsTokens.get(token);
    if (!granted) return { json: wxError(40001) };
    if (granted.expiresAt <= state.now()) return { json: wxError(42001) };
    if (granted.openid !== openid) return { json: wxError(40003) };
    if (granted.scope === 'snsapi_base') return { json: wxError(48001) };
    const app = state.apps.get(granted.appId);
    const body: Record<string, unknown> = {
      openid,
      nickname: granted.user,
      sex: 0,
      province: '',
      city: '',
      country: 'CN',
      headimgurl: `https://thirdwx.qlogo.cn/mmopen/sim/${granted.user}/132`,
      privilege: [],
    };
    if (app?.openPlatformId) body.unionid = state.unionidFor(app.openPlatformId, granted.user);
    return { json: body };
  },
};
