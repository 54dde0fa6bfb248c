import { errors } from '@strapi/utils';
import type { Credentials, Strapi, WeChatUser, WeChatUserInfo } from '../types';
import { pluginConfig, query, restApiPrefix, serverUrl } from '../strapi';
import { getService } from '../utils/get-service';
import { PLUGIN_ID, USER_UID } from '../utils/plugin-id';
import { authorizeUrl, BROWSER_LOGINS, grantsProfile, type BrowserLogin } from '../oauth/browser-logins';
import { isAllowedRedirect, redirectWith } from '../oauth/redirect-allow-list';
import { describeFailure } from '../wechat/errors';
import type { SnsUserInfo } from '../wechat/wechat-client';
import { matchesHash } from '../crypto/secret-hash';
import { assertNotBlocked } from './identities';

const { ValidationError } = errors;

/** The cookie binding a login's `state` to the browser that started it (its secret; the database has its hash). */
export const STATE_COOKIE = 'wechat_oauth_state';

/** Why a browser login came back without logging in: the `error` its page receives. */
export type CallbackError =
  | 'access_denied'
  | 'state_used'
  | 'state_expired'
  | 'state_mismatch'
  | 'invalid_code'
  | 'code_used'
  | 'snapshot_user'
  | 'scope_not_granted'
  | 'blocked'
  | 'sign_up_closed'
  | 'not_configured'
  | 'wechat_unavailable'
  | 'server_error';

/** sns/userinfo's profile in the shape the mini program login stores (WeChatUserInfo). */
function profileOf(info: SnsUserInfo): WeChatUserInfo {
  const profile: WeChatUserInfo = {};
  if (info.nickname) profile.nickName = info.nickname;
  if (info.headimgurl) profile.avatarUrl = info.headimgurl;
  if (info.sex === 0 || info.sex === 1 || info.sex === 2) profile.gender = info.sex;
  if (info.city) profile.city = info.city;
  if (info.province) profile.province = info.province;
  if (info.country) profile.country = info.country;
  return profile;
}

/** The page's `error` for a failure after the state was accepted (a WeChat refusal, a blocked user...). */
function reasonOf(error: unknown): CallbackError | null {
  const failure = describeFailure(error);
  const reason = failure ? failure.details.reason : (error as { details?: { reason?: unknown } })?.details?.reason;
  const status = failure ? failure.status : (error as { status?: number })?.status;
  if (reason === 'invalid_code' || reason === 'code_used' || reason === 'scope_not_granted' || reason === 'blocked') return reason;
  if (reason === 'registration_disabled') return 'sign_up_closed';
  if (failure || (status && status >= 502)) return 'wechat_unavailable';
  return null;
}

/**
 * The browser logins of Official Accounts and website apps (docs/web-logins.md): authorize (a state bound to the
 * browser, then WeChat), callback (the state checked and used, WeChat's code exchanged, the identity/user found or
 * made, a one-time login code for the page) and exchange (that code for the JWT).
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const grants = () => getService(strapi, 'oauthGrants');
  const config = () => pluginConfig(strapi, 'oauth');

  /** The app, which must be one whose logins run in a browser. */
  async function browserApp(appId: string): Promise<{ app: Credentials; login: BrowserLogin }> {
    const app = await getService(strapi, 'credentials').get(appId);
    const login = BROWSER_LOGINS[app.type];
    if (!login) {
      throw new ValidationError(`${app.appId} is a ${app.type} app: only officialAccount and website apps log in through the browser`, {
        appId: app.appId,
        type: app.type,
        reason: 'wrong_app_type',
      });
    }
    return { app, login };
  }

  /** Where WeChat sends the browser back: this Strapi's callback route, from its public origin. */
  function callbackUrl(appId: string, requestOrigin: string): string {
    const configured = config().callbackBaseUrl || (/^https?:\/\//i.test(serverUrl(strapi)) ? serverUrl(strapi) : '') || requestOrigin;
    return `${configured.replace(/\/+$/, '')}${restApiPrefix(strapi)}/${PLUGIN_ID}/oauth/${appId}/callback`;
  }

  return {
    /** WeChat's authorization URL for `appId`, and the cookie secret the browser must bring back. */
    async authorize({ appId, redirect, requestOrigin }: { appId: string; redirect: string; requestOrigin: string }) {
      const { app, login } = await browserApp(appId);
      if (!isAllowedRedirect(redirect, [...config().redirectAllowList, ...app.redirectAllowList])) {
        throw new ValidationError('redirect is not one of the pages configured for browser logins (oauth.redirectAllowList)', {
          reason: 'redirect_not_allowed',
        });
      }
      const secret = grants().newSecret();
      const state = await grants().issue('state', { appId: app.appId, redirect, secret }, config().stateTtl);
      const location = authorizeUrl(config().authorizeBaseUrl, login, {
        appId: app.appId,
        redirectUri: callbackUrl(app.appId, requestOrigin),
        scope: login.scope(app),
        state,
      });
      return { location, secret, maxAge: config().stateTtl };
    },

    /**
     * Where the browser goes after WeChat: the page it came from with `login_code`, or with `error`. A state this
     * server did not issue (or issued for another app) is a 400: there is no page known to be safe to go back to.
     */
    async callback({ appId, code, state, cookieSecret }: { appId: string; code?: string; state: string; cookieSecret?: string }): Promise<string> {
      const grant = await grants().find('state', state);
      if (!grant || grant.appId.toLowerCase() !== appId.toLowerCase() || !grant.redirect) {
        throw new ValidationError('This login cannot be verified (unknown state): start again from the login page', { reason: 'invalid_state' });
      }
      const redirect = grant.redirect;
      const back = (error: CallbackError) => redirectWith(redirect, { error });
      const problem = grants().problemOf(grant);
      if (problem) return back(problem === 'used' ? 'state_used' : 'state_expired');
      // Login CSRF: only the browser that started this login holds the secret.
      if (!cookieSecret || !matchesHash(cookieSecret, grant.secretHash)) return back('state_mismatch');
      if (!(await grants().claim(grant))) return back('state_used');
      // WeChat sends a refusal back with the state and no code (formerly code=authdeny).
      if (!code || code === 'authdeny') return back('access_denied');

      let app: Credentials;
      try {
        ({ app } = await browserApp(grant.appId));
      } catch {
        return back('not_configured');
      }
      try {
        const user = await signIn(app, code);
        const loginCode = await grants().issue('login', { appId: app.appId, userId: user.id, openid: user.openid ?? undefined }, config().loginCodeTtl);
        return redirectWith(redirect, { login_code: loginCode });
      } catch (error) {
        if (error instanceof SnapshotUser) return back('snapshot_user');
        const reason = reasonOf(error);
        // The sanitized message only: an axios error would carry the URL, and with it the AppSecret.
        const message = describeFailure(error)?.message ?? (error instanceof Error ? error.message : 'unknown failure');
        if (reason) {
          strapi.log.warn(`[wechat-auth] browser login for ${app.appId} failed: ${message}`);
          return back(reason);
        }
        strapi.log.error(`[wechat-auth] browser login for ${app.appId} failed: ${message}`);
        return back('server_error');
      }
    },

    /** The one-time login code → the user and their tokens; a 400 naming why when it cannot be used. */
    async exchange(code: string, client: { deviceId?: string; userAgent?: string }) {
      const invalid = (reason: string, message: string) => new ValidationError(message, { reason });
      const grant = await grants().find('login', code);
      if (!grant || grant.userId === null) throw invalid('invalid_login_code', 'Unknown login code: log in again');
      const problem = grants().problemOf(grant);
      if (problem === 'used') throw invalid('login_code_used', 'This login code was already used: log in again');
      if (problem === 'expired') throw invalid('login_code_expired', 'This login code has expired: log in again');
      if (!(await grants().claim(grant))) throw invalid('login_code_used', 'This login code was already used: log in again');
      const user = await query<WeChatUser>(strapi, USER_UID).findOne({ where: { id: grant.userId } });
      if (!user) throw invalid('invalid_login_code', 'The account of this login no longer exists: log in again');
      assertNotBlocked(user);
      const tokens = await getService(strapi, 'token').issue(user.id, client);
      return { ...tokens, user: { ...user, openid: grant.openid } };
    },
  };

  /** WeChat's code → the user (found or created through the identity model). */
  async function signIn(app: Credentials, code: string): Promise<WeChatUser> {
    const client = getService(strapi, 'wechat').client();
    const token = await client.snsAccessToken(app.appId, app.appSecret, code);
    // A snapshot page's user has not authorized and carries a virtual openid: no account for it.
    if (token.isSnapshotUser) throw new SnapshotUser();
    let unionid = token.unionid;
    let userInfo: WeChatUserInfo | undefined;
    if (grantsProfile(token.scope)) {
      const info = await client.snsUserInfo(token.accessToken, token.openid);
      unionid ??= info.unionid;
      userInfo = profileOf(info);
    }
    const session = unionid ? { openid: token.openid, unionid } : { openid: token.openid };
    return getService(strapi, 'login').signIn({ appId: app.appId, session, userInfo });
  }
};

class SnapshotUser extends Error {}
