import { StrapiError } from './errors';
import { defaultPlatform, Platform } from './platform';
import { Session, SessionStore, WechatUser } from './session-store';
import { platformLogin, sendJson, sendUpload } from './transport';
import { joinURL, QueryValue, withQuery } from './url';

const API = '/api/strapi-wechat-miniprogram-auth';

export interface ClientOptions {
  /** Where Strapi is, e.g. `https://api.example.com` (an HTTPS domain in the mini program's request and uploadFile 合法域名). */
  baseURL: string;
  /** The mini program's AppID, sent with every call that takes one; without it the server uses its default app. */
  appId?: string;
  /** The storage key of the session (default `strapi-wechat-miniprogram-auth`). */
  storageKey?: string;
  /** `uni` (uni-app), `Taro`, or any object with the same functions; default: the mini program's `wx`. */
  platform?: Platform;
  /** Milliseconds for one login, request or upload (default 20000); past it the call rejects with a TimeoutError. */
  timeout?: number;
}

export interface LoginParams {
  /** Unverified profile fields stored as `wechatUserInfo` (see the plugin's README). */
  userInfo?: Record<string, unknown>;
  /** The code of `<button open-type="getPhoneNumber">`: the phone is bound in the same request. */
  phoneCode?: string;
}

export interface PhoneResult {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export interface LoginResult extends Session {
  /** Only when a phoneCode was sent: whether the phone was bound (a failing phone never fails the login). */
  phone?: ({ bound: true } & PhoneResult) | { bound: false; reason: string; message: string };
}

export interface RequestOptions {
  /** Relative to baseURL (`/api/articles`), or absolute. */
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
  /** The JSON body. */
  data?: unknown;
  /** The query, Strapi's bracket notation for nested values: `{ sort: ['title'], pagination: { pageSize: 10 } }`. */
  params?: { [key: string]: QueryValue };
  header?: Record<string, string>;
  /** false: no JWT, no login (public routes). Default true: log in first when there is no session. */
  auth?: boolean;
  timeout?: number;
}

export interface ProfileUpdate {
  /** The temporary file of `<button open-type="chooseAvatar">` (`e.detail.avatarUrl`). */
  avatarTempFilePath?: string;
  /** From `<input type="nickname">`. */
  nickName?: string;
}

export interface EncryptedData {
  encryptedData: string;
  iv: string;
}

/** The data itself, or a function that gets it (e.g. wraps wx.getWeRunData): then a 409 is handled end to end. */
export type EncryptedDataSource = EncryptedData | (() => EncryptedData | Promise<EncryptedData>);

/** The browser that asked to log in, as the confirm page should show it. */
export interface QrLoginBrowser {
  /** From its User-Agent, e.g. "Chrome 120 on macOS 10.15.7 (desktop)". */
  device: string;
  /** Its network, coarse: an IPv4 /24 or an IPv6 /48, e.g. "203.0.113.0/24". */
  network: string;
  /** When it asked for the code (ISO 8601). */
  requestedAt: string;
}

export interface QrLoginScan {
  status: 'scanned';
  browser: QrLoginBrowser;
  /** Until when the user may confirm (ISO 8601). */
  expiresAt: string;
}

/**
 * The mini program's side of logging in on a website by scanning a mini program code: the ticket is
 * the code's scene, `decodeURIComponent(query.scene)` in the page's onLoad.
 */
export interface QrLoginApi {
  /** Tells the server who scanned the ticket; resolves to the browser to show before the user confirms. */
  scan(ticket: string): Promise<QrLoginScan>;
  /** The user confirms: the browser that asked is logged in as this user. */
  confirm(ticket: string): Promise<{ status: 'confirmed' }>;
  /** The user refuses: the browser is told `cancelled`. */
  cancel(ticket: string): Promise<{ status: 'cancelled' }>;
}

export class WechatAuthClient {
  /** Logging in on a website by scanning a mini program code: scan, then confirm or cancel. */
  readonly qrLogin: QrLoginApi;
  private readonly platform: Platform;
  private readonly baseURL: string;
  private readonly appId: string | undefined;
  private readonly timeout: number;
  private readonly store: SessionStore;
  private session: Session | null;
  /** The login in flight: every caller that needs one while it runs waits for this one. */
  private pending: Promise<LoginResult> | null = null;
  /** Bumped by logout(), so that a login still in flight then does not store its session. */
  private generation = 0;

  constructor(options: ClientOptions) {
    const platform = options.platform || defaultPlatform();
    if (!platform) throw new TypeError('No platform: outside a native mini program, pass `platform` (uni, Taro, ...)');
    if (!options.baseURL) throw new TypeError('baseURL is required');
    this.platform = platform;
    this.baseURL = options.baseURL;
    this.appId = options.appId;
    this.timeout = options.timeout || 20000;
    this.store = new SessionStore(platform, options.storageKey || 'strapi-wechat-miniprogram-auth');
    this.session = this.store.read();
    const ticketAction =
      <T>(action: string) =>
      (ticket: string) =>
        this.request<T>({ url: `${API}/qr-logins/${encodeURIComponent(ticket)}/${action}`, method: 'POST', data: {} });
    this.qrLogin = {
      scan: ticketAction<QrLoginScan>('scan'),
      confirm: ticketAction<{ status: 'confirmed' }>('confirm'),
      cancel: ticketAction<{ status: 'cancelled' }>('cancel'),
    };
  }

  /** The JWT of the current session, or null. */
  get token(): string | null {
    return this.session ? this.session.token : null;
  }

  /** The user of the current session, or null. */
  get user(): WechatUser | null {
    return this.session ? this.session.user : null;
  }

  /**
   * wx.login, then the plugin's login route; keeps `{ token, user }`. A code the server calls invalid (expired, used)
   * gets one more wx.login. While it runs, requests that need a login wait for it.
   */
  login(params: LoginParams = {}): Promise<LoginResult> {
    const run = this.runLogin(params);
    const pending = run.then(
      (result) => {
        if (this.pending === pending) this.pending = null;
        return result;
      },
      (error: unknown) => {
        if (this.pending === pending) this.pending = null;
        throw error;
      }
    );
    this.pending = pending;
    return pending;
  }

  /** Forgets the session (storage included). users-permissions JWTs are stateless: nothing to tell the server. */
  logout(): void {
    this.generation += 1;
    this.session = null;
    this.pending = null;
    this.store.clear();
  }

  /**
   * A request with the user's JWT (a login first when there is none). On a 401 it logs in again, once for all the
   * requests that got one meanwhile, and retries once; the answer to the retry is final. Resolves to the body.
   */
  request<T = unknown>(options: RequestOptions): Promise<T> {
    const url = withQuery(joinURL(this.baseURL, options.url), options.params);
    const send = (token: string | null) =>
      sendJson(this.platform, {
        url,
        method: options.method || 'GET',
        data: options.data,
        header: this.headers(token, options.header),
        timeout: options.timeout || this.timeout,
      });
    return (options.auth === false ? send(null) : this.withToken(send)) as Promise<T>;
  }

  /** Binds the phone number of `<button open-type="getPhoneNumber">` (`e.detail.code`) to the user. */
  bindPhone(code: string): Promise<PhoneResult> {
    return this.request<PhoneResult>({ url: `${API}/phone`, method: 'POST', data: this.withAppId({ code }) });
  }

  /** The profile: nickname, avatar (URL and formats), masked phone, apps. */
  getProfile<T = Record<string, unknown>>(): Promise<T> {
    return this.request<T>({ url: `${API}/profile` });
  }

  /** The avatar (wx.uploadFile, multipart field `avatar`, the nickname as a form field) and/or the nickname (JSON). */
  updateProfile<T = Record<string, unknown>>(update: ProfileUpdate): Promise<T> {
    if (!update.avatarTempFilePath) {
      return this.request<T>({ url: `${API}/profile`, method: 'PUT', data: this.withAppId({ nickName: update.nickName }) });
    }
    const formData: Record<string, string> = this.withAppId({});
    if (update.nickName !== undefined) formData.nickName = update.nickName;
    const url = joinURL(this.baseURL, `${API}/profile`);
    const filePath = update.avatarTempFilePath;
    return this.withToken((token) =>
      // wx.uploadFile can only POST: the plugin's POST /profile is the same update as PUT.
      sendUpload(this.platform, { url, filePath, name: 'avatar', formData, header: this.headers(token, undefined, false), timeout: this.timeout })
    ) as Promise<T>;
  }

  /**
   * Decrypts `{ encryptedData, iv }` (wx.getWeRunData, wx.getShareInfo...) on the server. A 409 means the server's
   * session key is not the one WeChat encrypted with: the client logs in again at once (so the server gets the new
   * key), then, when `source` is a function, gets the data again and retries once; given the data itself, it rejects
   * with the 409 (that data can never decrypt: get it again and call decrypt again, which then works).
   */
  decrypt<T = Record<string, unknown>>(source: EncryptedDataSource): Promise<T> {
    const attempt = () =>
      Promise.resolve(typeof source === 'function' ? source() : source).then(({ encryptedData, iv }) =>
        this.request<T>({ url: `${API}/decrypt`, method: 'POST', data: this.withAppId({ encryptedData, iv }) })
      );
    return attempt().catch((error: unknown) => {
      if (!(error instanceof StrapiError) || error.status !== 409) throw error;
      return this.joinOrLogin().then(() => {
        if (typeof source !== 'function') throw error;
        return attempt();
      });
    });
  }

  private runLogin(params: LoginParams): Promise<LoginResult> {
    const generation = this.generation;
    const attempt = () =>
      platformLogin(this.platform, this.timeout).then(
        (code) =>
          sendJson(this.platform, {
            url: joinURL(this.baseURL, `${API}/login`),
            method: 'POST',
            data: this.withAppId({ code, userInfo: params.userInfo, phoneCode: params.phoneCode }),
            header: this.headers(null),
            timeout: this.timeout,
          }) as Promise<LoginResult>
      );
    return attempt()
      .catch((error: unknown) => {
        // A code WeChat calls invalid or used: a fresh one once (the README's advice), never more.
        if (error instanceof StrapiError && error.status === 400 && error.reason === 'invalid_code') return attempt();
        throw error;
      })
      .then((result) => {
        if (generation === this.generation) {
          this.session = { token: result.token, user: result.user };
          this.store.write(this.session);
        }
        return result;
      });
  }

  /** The login in flight, or a new one. */
  private joinOrLogin(): Promise<LoginResult> {
    return this.pending || this.login();
  }

  /**
   * Runs `send` with the current token (after a login when there is none). On a 401: unless someone already replaced
   * the token it was sent with, one login (shared by everyone who got a 401 meanwhile), then `send` once more.
   */
  private withToken(send: (token: string) => Promise<unknown>): Promise<unknown> {
    const first = this.session ? Promise.resolve(this.session.token) : this.joinOrLogin().then((result) => result.token);
    return first.then((token) =>
      send(token).catch((error: unknown) => {
        if (!(error instanceof StrapiError) || error.status !== 401) throw error;
        const fresh =
          this.session && this.session.token !== token && !this.pending
            ? Promise.resolve(this.session.token)
            : this.joinOrLogin().then((result) => result.token);
        return fresh.then(send);
      })
    );
  }

  /** JSON's content type, except for uploads: a content-type header there would replace multipart's (and its boundary). */
  private headers(token: string | null, extra?: Record<string, string>, json = true): Record<string, string> {
    const header: Record<string, string> = json ? { 'content-type': 'application/json' } : {};
    if (extra) Object.keys(extra).forEach((key) => (header[key] = extra[key]));
    if (token) header.Authorization = `Bearer ${token}`;
    return header;
  }

  private withAppId<T extends Record<string, unknown>>(body: T): T & { appId?: string } {
    return this.appId ? Object.assign({}, body, { appId: this.appId }) : body;
  }
}

export function createClient(options: ClientOptions): WechatAuthClient {
  return new WechatAuthClient(options);
}
