import { errorFromFailure, errorFromResponse, StrapiError } from './errors';
import { callPlatform, Platform } from './platform';

/** How long past the platform's own timeout the client still waits for it to call back before giving up. */
const GRACE_MS = 1000;

export interface JsonRequest {
  url: string;
  method: string;
  data?: unknown;
  header: Record<string, string>;
  timeout: number;
}

export interface Upload {
  url: string;
  filePath: string;
  name: string;
  formData: Record<string, string>;
  header: Record<string, string>;
  timeout: number;
}

const deadline = (what: string, timeout: number) => () =>
  new StrapiError({ status: 0, name: 'TimeoutError', message: `${what} did not complete within ${timeout} ms` });

/** The body of a 2xx answer; anything else rejects with a StrapiError. */
function settle(statusCode: number, body: unknown): unknown {
  if (statusCode >= 200 && statusCode < 300) return body;
  throw errorFromResponse(statusCode, body);
}

/** wx.uploadFile answers the body as text: JSON when it parses, the text otherwise. */
function parseText(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

export function sendJson(platform: Platform, req: JsonRequest): Promise<unknown> {
  return callPlatform<{ statusCode: number; data: unknown }>(
    (callbacks) => platform.request({ ...req, dataType: 'json', ...callbacks }),
    req.timeout + GRACE_MS,
    (err) => errorFromFailure(err.errMsg),
    deadline(`${req.method} ${req.url}`, req.timeout)
  ).then((res) => settle(res.statusCode, parseText(res.data)));
}

export function sendUpload(platform: Platform, upload: Upload): Promise<unknown> {
  return callPlatform<{ statusCode: number; data: unknown }>(
    (callbacks) => platform.uploadFile({ ...upload, ...callbacks }),
    upload.timeout + GRACE_MS,
    (err) => errorFromFailure(err.errMsg),
    deadline(`upload to ${upload.url}`, upload.timeout)
  ).then((res) => settle(res.statusCode, parseText(res.data)));
}

/** A code from the platform's login (wx.login). */
export function platformLogin(platform: Platform, timeout: number): Promise<string> {
  return callPlatform<{ code: string }>(
    (callbacks) => platform.login({ timeout, ...callbacks }),
    timeout + GRACE_MS,
    (err) => errorFromFailure(err.errMsg, 'LoginError'),
    deadline('login', timeout)
  ).then((res) => {
    if (!res || typeof res.code !== 'string' || res.code === '') {
      throw new StrapiError({ status: 0, name: 'LoginError', message: 'The platform login gave no code' });
    }
    return res.code;
  });
}
