/**
 * WeChat's authorization pages (open.weixin.qq.com), for browser tests and the playground:
 *
 *   GET  /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope=snsapi_base|snsapi_userinfo&state
 *        an Official Account's web authorization (in WeChat's own browser)
 *   GET  /connect/qrconnect?appid&redirect_uri&response_type=code&scope=snsapi_login&state
 *        a website app's QR login (the PC page whose code a phone scans)
 *   POST /connect/oauth2/decide   the page's answer: 302 to redirect_uri?code=CODE&state=STATE, or ?state=STATE on a refusal
 *
 * The simulator has no WeChat client to say who is using it, so each page asks (a `user` field, remembered in a
 * cookie) and offers Allow / Deny **(choice: WeChat shows no page for snsapi_base; here it shows one all the same)**.
 * A request WeChat would refuse (unknown AppID, an AppID of another kind, a wrong scope or response_type, a
 * redirect_uri that is not an http(s) URL, a state that is not up to 128 of [a-zA-Z0-9]) gets an error page (HTTP 200,
 * as WeChat shows them) naming the problem, and no redirect.
 */
import type { SimulatorState } from './state';
import type { OAuthScope } from './types';

export interface PageReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Kind = 'officialAccount' | 'website';

const PAGES: Record<string, Kind> = { '/connect/oauth2/authorize': 'officialAccount', '/connect/qrconnect': 'website' };
const SCOPES: Record<Kind, OAuthScope[]> = { officialAccount: ['snsapi_base', 'snsapi_userinfo'], website: ['snsapi_login'] };
const DECIDE_PATH = '/connect/oauth2/decide';
const USER_COOKIE = 'sim_wechat_user';
const STATE_PATTERN = /^[a-zA-Z0-9]{0,128}$/;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function html(body: string, headers: Record<string, string> = {}): PageReply {
  return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers }, body };
}

function errorPage(message: string): PageReply {
  return html(`<!doctype html><meta charset="utf-8"><title>微信授权</title><h1 data-testid="wechat-error">${escapeHtml(message)}</h1>`);
}

interface Request {
  appid: string;
  redirectUri: string;
  scope: string;
  state: string;
  kind: Kind;
}

/** What is wrong with an authorization request, as WeChat's error page would say it; null when it is fine. */
function problemOf(state: SimulatorState, request: Request, responseType: string | null): string | null {
  if (!state.apps.has(request.appid)) return 'appid 参数错误 (unknown AppID)';
  if (state.typeOf(request.appid) !== request.kind) return `此公众号/应用没有此授权 (the AppID is not a ${request.kind} app)`;
  if (responseType !== null && responseType !== 'code') return 'response_type 参数错误';
  if (!SCOPES[request.kind].includes(request.scope as OAuthScope)) return 'scope 参数错误或没有 scope 权限';
  let url: URL | null = null;
  try {
    url = new URL(request.redirectUri);
  } catch {
    // below
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) return 'redirect_uri 参数错误';
  if (!STATE_PATTERN.test(request.state)) return 'state 参数错误';
  return null;
}

function cookieUser(header: string | undefined): string {
  const found = (header ?? '').split(/;\s*/).find((part) => part.startsWith(`${USER_COOKIE}=`));
  return found ? decodeURIComponent(found.slice(USER_COOKIE.length + 1)) : 'demo';
}

function consentPage(request: Request, user: string): PageReply {
  const title = request.kind === 'website' ? '微信扫码登录 (simulated: scan with WeChat)' : '微信网页授权 (simulated)';
  const asks = request.scope === 'snsapi_base' ? 'your openid (silent authorization)' : 'your nickname and avatar';
  const hidden = Object.entries({ appid: request.appid, redirect_uri: request.redirectUri, scope: request.scope, state: request.state, kind: request.kind })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  return html(`<!doctype html><meta charset="utf-8"><title>${title}</title>
<h1>${title}</h1>
<p>App <code data-testid="appid">${escapeHtml(request.appid)}</code> asks for ${asks} (${escapeHtml(request.scope)}).</p>
<form method="post" action="${DECIDE_PATH}">${hidden}
<label>WeChat user <input name="user" data-testid="user" value="${escapeHtml(user)}" pattern="[A-Za-z0-9]{1,40}" required></label>
<button name="decision" value="allow" data-testid="allow">${request.kind === 'website' ? 'Scan and allow' : 'Allow'}</button>
<button name="decision" value="deny" data-testid="deny">Deny</button>
</form>`);
}

function redirect(location: string, headers: Record<string, string> = {}): PageReply {
  return { status: 302, headers: { Location: location, ...headers }, body: '' };
}

/** The page for `method path`, or undefined when the path is not one of them. */
export function oauthPage(state: SimulatorState, method: string, url: URL, rawBody: string, cookieHeader: string | undefined): PageReply | undefined {
  const kind = PAGES[url.pathname];
  if (kind && method === 'GET') {
    const q = url.searchParams;
    const request: Request = {
      appid: q.get('appid') ?? '',
      redirectUri: q.get('redirect_uri') ?? '',
      scope: q.get('scope') ?? '',
      state: q.get('state') ?? '',
      kind,
    };
    const problem = problemOf(state, request, q.get('response_type'));
    return problem ? errorPage(problem) : consentPage(request, cookieUser(cookieHeader));
  }
  if (url.pathname !== DECIDE_PATH || method !== 'POST') return undefined;
  const form = new URLSearchParams(rawBody);
  const formKind = form.get('kind');
  if (formKind !== 'officialAccount' && formKind !== 'website') return errorPage('kind 参数错误');
  const request: Request = {
    appid: form.get('appid') ?? '',
    redirectUri: form.get('redirect_uri') ?? '',
    scope: form.get('scope') ?? '',
    state: form.get('state') ?? '',
    kind: formKind,
  };
  const problem = problemOf(state, request, null);
  if (problem) return errorPage(problem);
  const target = new URL(request.redirectUri);
  // WeChat: a refusal comes back with the state and no code.
  if (form.get('decision') === 'allow') {
    const user = form.get('user') ?? '';
    if (!/^[A-Za-z0-9]{1,40}$/.test(user)) return errorPage('user: 1 to 40 letters or digits');
    target.searchParams.set('code', state.newOAuthCode(request.appid, user, request.scope as OAuthScope));
    target.searchParams.set('state', request.state);
    return redirect(target.toString(), { 'Set-Cookie': `${USER_COOKIE}=${encodeURIComponent(user)}; Path=/; SameSite=Lax` });
  }
  target.searchParams.set('state', request.state);
  return redirect(target.toString());
}
