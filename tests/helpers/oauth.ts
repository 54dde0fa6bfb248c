/**
 * A browser login (docs/web-logins.md) as a browser would make it, one redirect at a time: the plugin's authorize
 * route, the simulator's consent page (Allow / Deny), the plugin's callback with the state cookie, then the exchange.
 */
import request from 'supertest';

export const OAUTH_PATH = '/api/strapi-wechat-miniprogram-auth/oauth';
export const STATE_COOKIE = 'wechat_oauth_state';

export interface StartedLogin {
  /** WeChat's authorization URL the plugin redirected to. */
  wechatUrl: URL;
  state: string;
  /** `wechat_oauth_state=<secret>`, as the browser would send it back. */
  cookie: string;
  /** The full Set-Cookie header of the state cookie. */
  setCookie: string;
}

export async function startLogin(server: string, appId: string, redirect: string): Promise<StartedLogin> {
  const res = await request(server).get(`${OAUTH_PATH}/${appId}/authorize`).query({ redirect });
  expect({ status: res.status, body: res.status === 302 ? undefined : res.body }).toEqual({ status: 302, body: undefined });
  const wechatUrl = new URL(res.headers.location);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${STATE_COOKIE}=`)) ?? '';
  return { wechatUrl, state: wechatUrl.searchParams.get('state') ?? '', cookie: setCookie.split(';')[0], setCookie };
}

/** What the simulator's consent page does on Allow or Deny: the callback URL WeChat sends the browser to. */
export async function decide(wechatUrl: URL, user: string, decision: 'allow' | 'deny'): Promise<URL> {
  const page = await request(wechatUrl.origin).get(wechatUrl.pathname + wechatUrl.search);
  expect(page.status).toBe(200);
  expect(page.text).toContain('data-testid="allow"');
  const q = wechatUrl.searchParams;
  const kind = wechatUrl.pathname === '/connect/qrconnect' ? 'website' : 'officialAccount';
  const res = await request(wechatUrl.origin)
    .post('/connect/oauth2/decide')
    .type('form')
    .send({ appid: q.get('appid'), redirect_uri: q.get('redirect_uri'), scope: q.get('scope'), state: q.get('state'), kind, user, decision });
  expect(res.status).toBe(302);
  return new URL(res.headers.location);
}

/** The callback as the browser reaches it (with `cookie`, when given): the response, and where it sends the browser. */
export async function callback(server: string, callbackUrl: URL, cookie?: string) {
  const req = request(server).get(callbackUrl.pathname + callbackUrl.search);
  if (cookie) req.set('Cookie', cookie);
  const res = await req;
  return { res, location: res.status === 302 ? new URL(res.headers.location) : null };
}

/** The callback URL for `state` with a code of the test's choosing (or none). */
export function callbackUrlFor(server: string, appId: string, state: string, code?: string): URL {
  const url = new URL(`${server}${OAUTH_PATH}/${appId}/callback`);
  if (code !== undefined) url.searchParams.set('code', code);
  url.searchParams.set('state', state);
  return url;
}

export const exchange = (server: string, body: unknown) =>
  request(server)
    .post(`${OAUTH_PATH}/exchange`)
    .send(body as object);

/** A whole login: authorize, consent as `user`, callback; the page's URL it ends on. */
export async function browserLogin(server: string, appId: string, redirect: string, user: string): Promise<URL> {
  const started = await startLogin(server, appId, redirect);
  const { location } = await callback(server, await decide(started.wechatUrl, user, 'allow'), started.cookie);
  expect(location).not.toBeNull();
  return location!;
}
