/**
 * The two WeChat logins that run in a browser, each described by where its code comes from (Auth.js-style: the flow
 * itself, in server/services/oauth.ts, is written once). No Strapi in here.
 */
import type { AppType, Credentials } from '../types';

export interface BrowserLogin {
  /** The page of open.weixin.qq.com that asks the user. */
  authorizePath: string;
  scope(app: Credentials): string;
}

export const BROWSER_LOGINS: Partial<Record<AppType, BrowserLogin>> = {
  // 公众号网页授权, in WeChat's own browser: snsapi_base (silent, openid only) or snsapi_userinfo (asks the user).
  officialAccount: { authorizePath: '/connect/oauth2/authorize', scope: (app) => app.scope },
  // 网站应用微信登录: a QR code on a PC page, scanned with WeChat.
  website: { authorizePath: '/connect/qrconnect', scope: () => 'snsapi_login' },
};

/** WeChat's authorization URL; its parameters in the order WeChat documents them (it is known to be strict about it). */
export function authorizeUrl(baseUrl: string, login: BrowserLogin, input: { appId: string; redirectUri: string; scope: string; state: string }): string {
  const query = [
    `appid=${encodeURIComponent(input.appId)}`,
    `redirect_uri=${encodeURIComponent(input.redirectUri)}`,
    'response_type=code',
    `scope=${encodeURIComponent(input.scope)}`,
    `state=${encodeURIComponent(input.state)}`,
  ].join('&');
  return `${baseUrl.replace(/\/+$/, '')}${login.authorizePath}?${query}#wechat_redirect`;
}

/** Whether what the user granted includes their profile (sns/userinfo answers): snsapi_userinfo or snsapi_login. */
export const grantsProfile = (scope: string) => scope.split(',').some((s) => s.trim() === 'snsapi_userinfo' || s.trim() === 'snsapi_login');
