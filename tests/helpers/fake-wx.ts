/**
 * A `wx` for the client library's tests: the functions the client uses (login, request, uploadFile, storage),
 * implemented for real on Node. `login` asks the WeChat simulator for a code over HTTP (POST /__sim/code, which renews
 * the user's session key as a wx.login does); `request` and `uploadFile` are real HTTP requests (uploadFile sends real
 * multipart/form-data read from a file path); the storage is a Map that, like wx's, keeps a copy of what it is given.
 * Callback shapes and failure messages as wx's: `fail({ errMsg: 'request:fail timeout' })` and so on.
 */
import fs from 'fs';
import http from 'http';
import path from 'path';
import { randomBytes } from 'crypto';

type Callbacks<R> = { success?: (res: R) => void; fail?: (err: { errMsg: string }) => void };

export interface FakeWxOptions {
  /** The simulator's base URL (its /__sim/code mints the codes). */
  simulatorUrl: string;
  appId: string;
  /** The WeChat user this device belongs to. */
  user: string;
  /** Shared between two FakeWx: the same device's storage across an app restart. */
  storage?: Map<string, string>;
}

export interface HttpCall {
  method: string;
  url: string;
  authorization: string | undefined;
}

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

export class FakeWx {
  readonly storage: Map<string, string>;
  /** wx.login calls that produced a code. */
  logins = 0;
  /** Every request and upload sent, in order. */
  readonly calls: HttpCall[] = [];
  /** Codes handed out by the next wx.login calls instead of asking the simulator (e.g. one it never issued). */
  readonly nextCodes: string[] = [];

  constructor(private readonly options: FakeWxOptions) {
    this.storage = options.storage ?? new Map();
  }

  login = ({ success, fail }: Callbacks<{ code: string; errMsg: string }> & { timeout?: number }): void => {
    const queued = this.nextCodes.shift();
    const code = queued
      ? Promise.resolve(queued)
      : httpJson('POST', `${this.options.simulatorUrl}/__sim/code`, { appid: this.options.appId, user: this.options.user }).then(
          ({ body }) => (body as { code: string }).code
        );
    code.then(
      (value) => {
        this.logins += 1;
        success?.({ code: value, errMsg: 'login:ok' });
      },
      (error: Error) => fail?.({ errMsg: `login:fail ${error.message}` })
    );
  };

  request = (
    options: Callbacks<{ statusCode: number; data: unknown; header: Record<string, unknown> }> & {
      url: string;
      method?: string;
      data?: unknown;
      header?: Record<string, string>;
      timeout?: number;
      dataType?: string;
    }
  ): { abort(): void } => {
    const method = (options.method ?? 'GET').toUpperCase();
    let url = options.url;
    let body: Buffer | undefined;
    // As wx.request: GET data becomes the query string, other methods send it as JSON.
    if (method === 'GET' && options.data && typeof options.data === 'object') {
      const query = Object.entries(options.data as Record<string, unknown>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
      if (query.length) url += `${url.includes('?') ? '&' : '?'}${query.join('&')}`;
    } else if (options.data !== undefined && method !== 'GET') {
      body = Buffer.from(typeof options.data === 'string' ? options.data : JSON.stringify(options.data));
    }
    return this.send(
      'request',
      method,
      url,
      options.header ?? {},
      body,
      options.timeout,
      (status, text, header) => {
        let data: unknown = text;
        if ((options.dataType ?? 'json') === 'json') {
          try {
            data = JSON.parse(text);
          } catch {
            // wx hands the text over when it is not JSON
          }
        }
        options.success?.({ statusCode: status, data, header });
      },
      options.fail
    );
  };

  uploadFile = (
    options: Callbacks<{ statusCode: number; data: string }> & {
      url: string;
      filePath: string;
      name: string;
      formData?: Record<string, string>;
      header?: Record<string, string>;
      timeout?: number;
    }
  ): { abort(): void } => {
    let file: Buffer;
    try {
      file = fs.readFileSync(options.filePath);
    } catch (error) {
      setImmediate(() => options.fail?.({ errMsg: `uploadFile:fail ${(error as Error).message}` }));
      return { abort() {} };
    }
    const boundary = `----fakewx${randomBytes(8).toString('hex')}`;
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(options.formData ?? {})) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    }
    const filename = path.basename(options.filePath);
    const type = MIME[path.extname(filename).toLowerCase()] ?? 'application/octet-stream';
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${options.name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`));
    parts.push(file, Buffer.from(`\r\n--${boundary}--\r\n`));
    // A content-type from the caller is sent as given (it would break the multipart body, as it can with wx.uploadFile).
    const header = { ...options.header };
    if (!Object.keys(header).some((k) => k.toLowerCase() === 'content-type')) header['content-type'] = `multipart/form-data; boundary=${boundary}`;
    return this.send(
      'uploadFile',
      'POST',
      options.url,
      header,
      Buffer.concat(parts),
      options.timeout,
      (status, text) => {
        options.success?.({ statusCode: status, data: text });
      },
      options.fail
    );
  };

  getStorageSync = (key: string): unknown => {
    const value = this.storage.get(key);
    return value === undefined ? '' : JSON.parse(value);
  };

  setStorageSync = (key: string, value: unknown): void => {
    this.storage.set(key, JSON.stringify(value));
  };

  removeStorageSync = (key: string): void => {
    this.storage.delete(key);
  };

  private send(
    api: string,
    method: string,
    url: string,
    header: Record<string, string>,
    body: Buffer | undefined,
    timeout: number | undefined,
    onResponse: (status: number, text: string, header: Record<string, unknown>) => void,
    fail: ((err: { errMsg: string }) => void) | undefined
  ): { abort(): void } {
    const authorization = Object.entries(header).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    this.calls.push({ method, url, authorization });
    let done = false;
    const failOnce = (errMsg: string) => {
      if (done) return;
      done = true;
      fail?.({ errMsg: `${api}:fail ${errMsg}` });
    };
    const headers: Record<string, string | number> = { ...header };
    if (body) headers['content-length'] = body.length;
    let req: http.ClientRequest;
    try {
      req = http.request(url, { method, headers });
    } catch (error) {
      setImmediate(() => failOnce((error as Error).message));
      return { abort() {} };
    }
    // wx's timeout covers the whole request; so does this one.
    const timer = timeout ? setTimeout(() => (failOnce('timeout'), req.destroy()), timeout) : undefined;
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        if (done) return;
        done = true;
        onResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers);
      });
      res.on('error', (error) => (clearTimeout(timer), failOnce(error.message)));
    });
    req.on('error', (error) => (clearTimeout(timer), failOnce(error.message)));
    req.end(body);
    return {
      abort() {
        clearTimeout(timer);
        failOnce('abort');
        req.destroy();
      },
    };
  }
}

/** A JSON request on Node's http (the simulator's control endpoints). */
export function httpJson(method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(url, { method, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
