/**
 * HTTP client for WeChat's server API. No Strapi in here.
 *
 * Every failure is turned into a WeChatApiError (WeChat answered with an errcode) or a
 * WeChatTransportError (no usable answer). Neither carries the request URL, the AppSecret or
 * the session_key, so they are safe to log and to show.
 */
import http from 'http';
import https from 'https';
import axios, { AxiosInstance, AxiosError } from 'axios';

export interface WeChatClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

export interface Code2SessionResult {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

export interface StableTokenResult {
  accessToken: string;
  expiresIn: number;
}

export class WeChatApiError extends Error {
  constructor(
    readonly api: string,
    readonly errcode: number
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

const MAX_BODY_BYTES = 64 * 1024;

interface Deadline {
  timeout: number;
  signal: AbortSignal;
}

export interface WeChatClient {
  code2session(appId: string, appSecret: string, code: string): Promise<Code2SessionResult>;
  stableToken(appId: string, appSecret: string): Promise<StableTokenResult>;
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

  async function call(name: string, request: (deadline: Deadline) => Promise<{ status: number; data: unknown }>) {
    // `signal` bounds the whole exchange; axios' own `timeout` alone lets a slowly dripping body run on.
    // A timer cleared on completion rather than AbortSignal.timeout(), which would keep the signal and
    // the request it references alive for the full timeout after every call.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: { status: number; data: unknown };
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
    const body = parseBody(response.data);
    if (!body) throw new WeChatTransportError(name, 'bad-body');
    const errcode = body.errcode;
    if (errcode !== undefined && errcode !== 0) {
      throw new WeChatApiError(name, typeof errcode === 'number' ? errcode : Number(errcode) || -2);
    }
    return body;
  }

  return {
    async code2session(appId, appSecret, code) {
      const body = await call('code2session', (deadline) =>
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

    async stableToken(appId, appSecret) {
      const body = await call('stable_token', (deadline) =>
        api.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: false }, deadline)
      );
      const { access_token: accessToken, expires_in: expiresIn } = body;
      if (typeof accessToken !== 'string' || !accessToken) throw new WeChatTransportError('stable_token', 'bad-body');
      return { accessToken, expiresIn: Number(expiresIn) || 0 };
    },

    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
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
