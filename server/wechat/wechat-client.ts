/**
 * HTTP client for WeChat's server API. No Strapi in here.
 *
 * Every failure is turned into a WeChatApiError (WeChat answered with an errcode) or a
 * WeChatTransportError (no usable answer). Neither carries the request URL, the AppSecret, the
 * access token (it travels in the query string) or the session_key, so they are safe to log and
 * to show.
 */
import http from 'http';
import https from 'https';
import axios, { AxiosInstance, AxiosError, AxiosRequestConfig } from 'axios';
import { sessionSignature, SIG_METHOD } from './session-signature';

export interface WeChatClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

export interface Code2SessionResult {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

/** sns/oauth2/access_token: a code from an Official Account's or a website's authorization, or the Open SDK's. */
export interface SnsAccessTokenResult {
  openid: string;
  unionid?: string;
  /** The user's access token for sns/userinfo (not the app's cgi-bin token): never stored, never sent out. */
  accessToken: string;
  /** What the user granted: snsapi_base, snsapi_userinfo or snsapi_login (comma-separated when several). */
  scope: string;
  /** The user is on a snapshot page (朋友圈 preview) and has not authorized: the openid is a virtual one. */
  isSnapshotUser: boolean;
}

/** sns/userinfo, as WeChat spells it (headimgurl, sex 0/1/2). */
export interface SnsUserInfo {
  openid: string;
  unionid?: string;
  nickname?: string;
  headimgurl?: string;
  sex?: number;
  province?: string;
  city?: string;
  country?: string;
}

export interface StableTokenResult {
  accessToken: string;
  expiresIn: number;
}

export interface PhoneNumberResult {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/** POST /cgi-bin/message/subscribe/send, as WeChat spells it. */
export interface SubscribeMessageBody {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: 'developer' | 'trial' | 'formal';
  lang?: 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';
}

/** POST /wxa/getwxacodeunlimit, as WeChat spells it. */
export interface UnlimitedQRCodeBody {
  scene: string;
  page?: string;
  check_path?: boolean;
  env_version?: 'release' | 'trial' | 'develop';
  width?: number;
  auto_color?: boolean;
  line_color?: { r: number; g: number; b: number };
  is_hyaline?: boolean;
}

export interface ImageResult {
  contentType: string;
  data: Buffer;
}

/** POST /wxa/msg_sec_check (version 2), as WeChat spells it. */
export interface MsgSecCheckBody {
  openid: string;
  scene: 1 | 2 | 3 | 4;
  content: string;
  nickname?: string;
  title?: string;
  signature?: string;
}

export interface MsgSecCheckResult {
  suggest: 'pass' | 'review' | 'risky';
  label: number;
  traceId: string | null;
}

export interface GenericCall {
  method: 'GET' | 'POST';
  /** A path of WeChat's API origin, e.g. /wxa/getpaidunionid (no scheme, host or query). */
  path: string;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
}

export class WeChatApiError extends Error {
  constructor(
    readonly api: string,
    readonly errcode: number,
    /** 47003 (bad message data): the data key errmsg names, e.g. `thing1`. */
    readonly field?: string
  ) {
    super(`WeChat ${api} answered errcode ${errcode}`);
    this.name = 'WeChatApiError';
  }
}

export type TransportFailure = 'timeout' | 'network' | 'http-status' | 'bad-body';

export class WeChatTransportError extends Error {
  constructor(
    readonly api: string,
    readonly failure: TransportFailure,
    readonly httpStatus?: number
  ) {
    super(`WeChat ${api} failed: ${failure}${httpStatus ? ` (HTTP ${httpStatus})` : ''}`);
    this.name = 'WeChatTransportError';
  }
}

/** JSON answers are small; a larger body is not WeChat's. */
const MAX_BODY_BYTES = 64 * 1024;
/** A mini program code: a few hundred KiB at 1280 px. */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** checksession: the signature does not match the user's current session key. */
const INVALID_SIGNATURE = 87009;

/** A relative path of the API origin: no scheme, host, query, `..` or `//`. */
export const GENERIC_PATH_PATTERN = /^(?!.*\/\/)(?!.*\.\.)\/[A-Za-z0-9_\-./]{1,200}$/;

interface Deadline {
  timeout: number;
  signal: AbortSignal;
}

interface RawResponse {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

export interface WeChatClient {
  code2session(appId: string, appSecret: string, code: string): Promise<Code2SessionResult>;
  snsAccessToken(appId: string, appSecret: string, code: string): Promise<SnsAccessTokenResult>;
  snsUserInfo(userAccessToken: string, openid: string): Promise<SnsUserInfo>;
  /** Normal mode returns the token in use (invalidates nothing); `forceRefresh` invalidates it (limited by WeChat). */
  stableToken(appId: string, appSecret: string, options?: { forceRefresh?: boolean }): Promise<StableTokenResult>;
  getPhoneNumber(accessToken: string, body: { code: string; openid?: string }): Promise<PhoneNumberResult>;
  /** `msgid` as a string: WeChat's is a 64-bit integer, beyond JavaScript's exact numbers. */
  sendSubscribeMessage(accessToken: string, body: SubscribeMessageBody): Promise<{ msgid: string | null }>;
  getUnlimitedQRCode(accessToken: string, body: UnlimitedQRCodeBody): Promise<ImageResult>;
  msgSecCheck(accessToken: string, body: MsgSecCheckBody): Promise<MsgSecCheckResult>;
  /** GET /wxa/checksession: whether `sessionKey` is the user's current one (87009, invalid signature: false). The key itself is never sent. */
  checkSessionKey(accessToken: string, input: { openid: string; sessionKey: string }): Promise<boolean>;
  /** Any other JSON API: the parsed body (errcode ≠ 0 is a WeChatApiError named by the path). */
  call(accessToken: string, request: GenericCall): Promise<Record<string, unknown>>;
  close(): void;
}

export function createWeChatClient({ baseUrl, timeoutMs }: WeChatClientOptions): WeChatClient {
  // Keep-alive: one TLS handshake per connection instead of one per login.
  const httpAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 64 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxFreeSockets: 64 });
  const api: AxiosInstance = axios.create({
    baseURL: baseUrl.replace(/\/+$/, ''),
    httpAgent,
    httpsAgent,
    proxy: false,
    maxRedirects: 0,
    maxContentLength: MAX_BODY_BYTES,
    responseType: 'text',
    // WeChat labels JSON as text/plain at times: always parse the text ourselves.
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });

  /** One exchange, bounded by the deadline; any failure to get an HTTP 2xx answer is a WeChatTransportError. */
  async function exchange(name: string, request: (deadline: Deadline) => Promise<RawResponse>): Promise<RawResponse> {
    // `signal` bounds the whole exchange; axios' own `timeout` alone lets a slowly dripping body run on.
    // A timer cleared on completion rather than AbortSignal.timeout(), which would keep the signal and
    // the request it references alive for the full timeout after every call.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: RawResponse;
    try {
      response = await request({ timeout: timeoutMs, signal: controller.signal });
    } catch (error) {
      throw toTransportError(name, error);
    } finally {
      clearTimeout(timer);
    }
    if (response.status < 200 || response.status >= 300) {
      throw new WeChatTransportError(name, 'http-status', response.status);
    }
    return response;
  }

  /** The JSON object WeChat answered; an errcode ≠ 0 is thrown as a WeChatApiError. */
  function jsonBody(name: string, data: unknown): Record<string, unknown> {
    const body = parseBody(data);
    if (!body) throw new WeChatTransportError(name, 'bad-body');
    const errcode = body.errcode;
    if (errcode !== undefined && errcode !== 0 && errcode !== '0') {
      const code = typeof errcode === 'number' ? errcode : Number(errcode) || -2;
      throw new WeChatApiError(name, code, code === 47003 ? dataField(body.errmsg) : undefined);
    }
    return body;
  }

  async function callJson(name: string, request: (deadline: Deadline) => Promise<RawResponse>) {
    return jsonBody(name, (await exchange(name, request)).data);
  }

  /** A POST with the access token in the query string (where WeChat wants it). */
  const withToken = (accessToken: string, config: AxiosRequestConfig = {}): AxiosRequestConfig => ({
    ...config,
    params: { ...(config.params as Record<string, unknown> | undefined), access_token: accessToken },
  });

  return {
    async code2session(appId, appSecret, code) {
      const body = await callJson('code2session', (deadline) =>
        api.get('/sns/jscode2session', {
          params: { appid: appId, secret: appSecret, js_code: code, grant_type: 'authorization_code' },
          ...deadline,
        })
      );
      const { openid, session_key: sessionKey, unionid } = body;
      if (typeof openid !== 'string' || !openid || typeof sessionKey !== 'string' || !sessionKey) {
        throw new WeChatTransportError('code2session', 'bad-body');
      }
      return typeof unionid === 'string' && unionid ? { openid, sessionKey, unionid } : { openid, sessionKey };
    },

    async snsAccessToken(appId, appSecret, code) {
      const name = 'sns_access_token';
      const body = await callJson(name, (deadline) =>
        api.get('/sns/oauth2/access_token', { params: { appid: appId, secret: appSecret, code, grant_type: 'authorization_code' }, ...deadline })
      );
      const { openid, unionid, access_token: accessToken, scope, is_snapshotuser: snapshot } = body;
      if (typeof openid !== 'string' || !openid || typeof accessToken !== 'string' || !accessToken) throw new WeChatTransportError(name, 'bad-body');
      return {
        openid,
        ...(typeof unionid === 'string' && unionid ? { unionid } : {}),
        accessToken,
        scope: typeof scope === 'string' ? scope : '',
        isSnapshotUser: snapshot === 1 || snapshot === '1',
      };
    },

    async snsUserInfo(userAccessToken, openid) {
      const name = 'sns_userinfo';
      const body = await callJson(name, (deadline) =>
        api.get('/sns/userinfo', { params: { access_token: userAccessToken, openid, lang: 'zh_CN' }, ...deadline })
      );
      if (typeof body.openid !== 'string' || body.openid !== openid) throw new WeChatTransportError(name, 'bad-body');
      const text = (key: string) => (typeof body[key] === 'string' && body[key] ? { [key]: body[key] } : {});
      return {
        openid,
        ...text('unionid'),
        ...text('nickname'),
        ...text('headimgurl'),
        ...text('province'),
        ...text('city'),
        ...text('country'),
        ...(typeof body.sex === 'number' ? { sex: body.sex } : {}),
      };
    },

    async stableToken(appId, appSecret, options = {}) {
      const body = await callJson('stable_token', (deadline) =>
        api.post(
          '/cgi-bin/stable_token',
          { grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: options.forceRefresh === true },
          deadline
        )
      );
      const { access_token: accessToken, expires_in: expiresIn } = body;
      if (typeof accessToken !== 'string' || !accessToken) throw new WeChatTransportError('stable_token', 'bad-body');
      return { accessToken, expiresIn: Number(expiresIn) || 0 };
    },

    async getPhoneNumber(accessToken, { code, openid }) {
      const name = 'getuserphonenumber';
      const body = await callJson(name, (deadline) =>
        api.post('/wxa/business/getuserphonenumber', openid ? { code, openid } : { code }, withToken(accessToken, deadline))
      );
      const info = body.phone_info as Record<string, unknown> | undefined;
      const phoneNumber = info?.phoneNumber;
      const purePhoneNumber = info?.purePhoneNumber;
      const countryCode = info?.countryCode;
      if (typeof phoneNumber !== 'string' || !phoneNumber || typeof purePhoneNumber !== 'string' || !purePhoneNumber) {
        throw new WeChatTransportError(name, 'bad-body');
      }
      return { phoneNumber, purePhoneNumber, countryCode: typeof countryCode === 'number' || typeof countryCode === 'string' ? String(countryCode) : '' };
    },

    async sendSubscribeMessage(accessToken, message) {
      const name = 'subscribe_send';
      const { data } = await exchange(name, (deadline) => api.post('/cgi-bin/message/subscribe/send', message, withToken(accessToken, deadline)));
      jsonBody(name, data);
      // Read from the text: JSON.parse would round a 64-bit msgid.
      const msgid = typeof data === 'string' ? /"msgid"\s*:\s*"?(\d+)"?/.exec(data)?.[1] : undefined;
      return { msgid: msgid ?? null };
    },

    async getUnlimitedQRCode(accessToken, request) {
      const name = 'getwxacodeunlimit';
      const response = await exchange(name, (deadline) =>
        api.post(
          '/wxa/getwxacodeunlimit',
          request,
          withToken(accessToken, {
            ...deadline,
            responseType: 'arraybuffer',
            maxContentLength: MAX_IMAGE_BYTES,
            transformResponse: [(data: unknown) => data],
          })
        )
      );
      const header = response.headers['content-type'];
      const contentType = (typeof header === 'string' ? header : '').split(';')[0].trim().toLowerCase();
      const bytes = Buffer.isBuffer(response.data)
        ? response.data
        : response.data instanceof ArrayBuffer
          ? Buffer.from(response.data)
          : Buffer.from(typeof response.data === 'string' ? response.data : '');
      // Success: image bytes. Failure: JSON with an errcode, HTTP 200 all the same.
      if (contentType.startsWith('image/') && bytes.length > 0) return { contentType, data: bytes };
      jsonBody(name, bytes.toString('utf8'));
      throw new WeChatTransportError(name, 'bad-body');
    },

    async msgSecCheck(accessToken, request) {
      const name = 'msg_sec_check';
      const body = await callJson(name, (deadline) => api.post('/wxa/msg_sec_check', { ...request, version: 2 }, withToken(accessToken, deadline)));
      const result = body.result as Record<string, unknown> | undefined;
      const suggest = result?.suggest;
      if (suggest !== 'pass' && suggest !== 'review' && suggest !== 'risky') throw new WeChatTransportError(name, 'bad-body');
      return { suggest, label: Number(result?.label) || 0, traceId: typeof body.trace_id === 'string' ? body.trace_id : null };
    },

    async checkSessionKey(accessToken, { openid, sessionKey }) {
      const name = 'checksession';
      const params = { openid, signature: sessionSignature(sessionKey), sig_method: SIG_METHOD };
      try {
        await callJson(name, (deadline) => api.get('/wxa/checksession', withToken(accessToken, { ...deadline, params })));
        return true;
      } catch (error) {
        if (error instanceof WeChatApiError && error.errcode === INVALID_SIGNATURE) return false;
        throw error;
      }
    },

    async call(accessToken, { method, path, query, body }) {
      // The service validates it first; checked again here so that no caller reaches another host.
      if (!GENERIC_PATH_PATTERN.test(path)) throw new TypeError('WeChat API path must be a relative path such as /wxa/getpaidunionid');
      const name = path;
      const params = { ...query };
      delete params.access_token;
      return callJson(name, (deadline) =>
        method === 'GET'
          ? api.get(path, withToken(accessToken, { ...deadline, params }))
          : api.post(path, body ?? {}, withToken(accessToken, { ...deadline, params }))
      );
    },

    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The data key named in a 47003 errmsg ("argument invalid! data.thing1.value is empty"): that key only. */
function dataField(errmsg: unknown): string | undefined {
  if (typeof errmsg !== 'string') return undefined;
  return /\bdata\.([A-Za-z][A-Za-z0-9_]{0,63})\b/.exec(errmsg)?.[1];
}

function parseBody(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(data);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function toTransportError(api: string, error: unknown): WeChatTransportError {
  const err = error as AxiosError;
  const timedOut =
    err?.code === 'ECONNABORTED' || err?.code === 'ETIMEDOUT' || err?.code === 'ERR_CANCELED' || (err as { name?: string })?.name === 'CanceledError';
  if (timedOut) return new WeChatTransportError(api, 'timeout');
  if (err?.code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(String(err.message))) {
    return new WeChatTransportError(api, 'bad-body');
  }
  return new WeChatTransportError(api, 'network');
}
