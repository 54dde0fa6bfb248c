/**
 * A WeChat server API simulator for tests, the playground and benchmarks.
 *
 * It answers like https://api.weixin.qq.com does (HTTP 200 with errcode/errmsg, text/plain bodies)
 * for the endpoints this plugin uses, and can be told to misbehave: WeChat errcodes, latency,
 * hangs, connection resets, HTTP 500 and non-JSON bodies.
 *
 * Codes a test can use without asking the simulator first:
 *   sim_<user>_<nonce>            a valid, single-use wx.login code for <user>
 *   fault_<fault>_<nonce>         a code that triggers <fault>: err<errcode>, delay<ms>, hang,
 *                                 drip (a body trickling one byte every 200 ms), reset, http500,
 *                                 nonjson, html
 */
import { createHmac, randomBytes } from 'crypto';
import http from 'http';
import type { AddressInfo, Socket } from 'net';

export interface SimulatedApp {
  appId: string;
  appSecret: string;
  /** Open Platform account the mini program is bound to: when set, code2session returns a unionid. */
  openPlatformId?: string;
  /** When false, stable_token answers 40164 (caller IP not in the whitelist). */
  ipWhitelisted?: boolean;
}

export type Fault =
  | { kind: 'errcode'; errcode: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'drip' }
  | { kind: 'reset' }
  | { kind: 'http500' }
  | { kind: 'nonjson' }
  | { kind: 'html' };

export interface WeChatSimulatorOptions {
  apps?: SimulatedApp[];
  port?: number;
  /** How long a minted code stays valid (WeChat: about 5 minutes). */
  codeTtlMs?: number;
}

export interface SimulatorStats {
  code2session: number;
  stableToken: number;
  /** TCP connections accepted since start (keep-alive shows as fewer connections than calls). */
  connections: number;
  openConnections: number;
}

export const DEMO_APP: SimulatedApp = {
  appId: 'wx0123456789abcdef',
  appSecret: '0123456789abcdef0123456789abcdef',
};

const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40002: 'invalid grant_type',
  40013: 'invalid appid',
  40029: 'invalid code',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40164: 'invalid ip, not in whitelist',
  40226: 'invalid user, high risk',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
};

const USER_PATTERN = /^[A-Za-z0-9]{1,40}$/;

function rid(): string {
  return randomBytes(6).toString('hex');
}

function derive(scope: string, user: string): string {
  // 'o' + 27 url-safe characters: the shape of real openids and unionids.
  return 'o' + createHmac('sha256', scope).update(user).digest('base64url').slice(0, 27);
}

export function parseFaultCode(code: string): Fault | null {
  const m = /^fault_([a-z]+)(-?\d+)?(?:_|$)/.exec(code);
  if (!m) return null;
  const [, kind, arg] = m;
  switch (kind) {
    case 'err':
      return arg === undefined ? null : { kind: 'errcode', errcode: Number(arg) };
    case 'delay':
      return { kind: 'delay', ms: Number(arg ?? 1000) };
    case 'hang':
    case 'drip':
    case 'reset':
    case 'nonjson':
    case 'html':
      return { kind };
    case 'http':
      return arg === '500' ? { kind: 'http500' } : null;
    default:
      return null;
  }
}

export class WeChatSimulator {
  private readonly apps = new Map<string, SimulatedApp>();
  private readonly minted = new Map<string, { appId: string; user: string; expiresAt: number }>();
  private readonly used = new Set<string>();
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly codeTtlMs: number;
  private readonly port: number;
  private server: http.Server | null = null;
  private fault: Fault | null = null;
  private faultTimes = Infinity;
  readonly stats: Omit<SimulatorStats, 'openConnections'> = { code2session: 0, stableToken: 0, connections: 0 };
  /** The js_code of every code2session call, as received. */
  readonly receivedCodes: string[] = [];
  /** Every session_key handed out (the latest 10,000), so tests can check none leaks. */
  readonly issuedSessionKeys: string[] = [];
  baseUrl = '';

  constructor(options: WeChatSimulatorOptions = {}) {
    for (const app of options.apps ?? [DEMO_APP]) this.apps.set(app.appId, app);
    this.codeTtlMs = options.codeTtlMs ?? 5 * 60 * 1000;
    this.port = options.port ?? 0;
  }

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.keepAliveTimeout = 30_000;
    server.on('connection', (socket) => {
      this.stats.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  getStats(): SimulatorStats {
    return { ...this.stats, openConnections: this.sockets.size };
  }

  addApp(app: SimulatedApp): void {
    this.apps.set(app.appId, app);
  }

  /** Every following request (or the next `times` ones) misbehaves as `fault` says; null clears it. */
  setFault(fault: Fault | null, times = Infinity): void {
    this.fault = fault;
    this.faultTimes = times;
  }

  /** What wx.login would give `user` on the device: a fresh single-use code. */
  issueCode(appId: string, user: string): string {
    const code = randomBytes(16).toString('hex');
    this.minted.set(code, { appId, user, expiresAt: Date.now() + this.codeTtlMs });
    return code;
  }

  openidFor(appId: string, user: string): string {
    return derive(`openid:${appId}`, user);
  }

  unionidFor(openPlatformId: string, user: string): string {
    return derive(`unionid:${openPlatformId}`, user);
  }

  private takeFault(code: string | null): Fault | null {
    const fromCode = code ? parseFaultCode(code) : null;
    if (fromCode) return fromCode;
    if (this.fault && this.faultTimes > 0) {
      this.faultTimes -= 1;
      const fault = this.fault;
      if (this.faultTimes <= 0) this.fault = null;
      return fault;
    }
    return null;
  }

  /** Applies a fault; returns true when the request has been dealt with. */
  private async applyFault(fault: Fault | null, res: http.ServerResponse): Promise<boolean> {
    if (!fault) return false;
    switch (fault.kind) {
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        return false;
      case 'hang':
        return true; // never answer; the socket is destroyed on stop()
      case 'drip': {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 200);
        res.on('close', () => clearInterval(timer));
        return true;
      }
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'http500':
        res.writeHead(500, { 'Content-Type': 'text/html' });
        res.end('<html><body>500 Internal Server Error</body></html>');
        return true;
      case 'nonjson':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('{"errcode":0,"openid":');
        return true;
      case 'html':
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html><body>gateway</body></html>');
        return true;
      case 'errcode':
        this.sendJson(res, this.error(fault.errcode));
        return true;
    }
  }

  private error(errcode: number): { errcode: number; errmsg: string } {
    return { errcode, errmsg: `${ERRMSG[errcode] ?? 'error'}, rid: ${rid()}` };
  }

  private sendJson(res: http.ServerResponse, body: unknown): void {
    // WeChat often labels its JSON as text/plain.
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (req.method === 'GET' && url.pathname === '/sns/jscode2session') {
      return this.code2session(url.searchParams, res);
    }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
      return this.stableToken(await readJson(req), res);
    }
    if (req.method === 'POST' && url.pathname === '/__sim/code') {
      const body = (await readJson(req)) as { appid?: string; user?: string } | null;
      const appId = body?.appid ?? DEMO_APP.appId;
      const user = body?.user ?? 'demo';
      return this.sendJson(res, { code: this.issueCode(appId, user), openid: this.openidFor(appId, user) });
    }
    if (req.method === 'POST' && url.pathname === '/__sim/fault') {
      const body = (await readJson(req)) as { fault?: Fault | null; times?: number } | null;
      this.setFault(body?.fault ?? null, body?.times ?? Infinity);
      return this.sendJson(res, { ok: true });
    }
    if (req.method === 'GET' && url.pathname === '/__sim/stats') {
      return this.sendJson(res, this.getStats());
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end(JSON.stringify({ errcode: 404, errmsg: 'not found' }));
  }

  private async code2session(params: URLSearchParams, res: http.ServerResponse): Promise<void> {
    this.stats.code2session += 1;
    const code = params.get('js_code');
    if (code !== null && this.receivedCodes.push(code) > 10_000) this.receivedCodes.shift();
    if (await this.applyFault(this.takeFault(code), res)) return;

    const appId = params.get('appid');
    const secret = params.get('secret');
    if (!appId) return this.sendJson(res, this.error(41002));
    const app = this.apps.get(appId);
    if (!app) return this.sendJson(res, this.error(40013));
    if (!secret) return this.sendJson(res, this.error(41004));
    if (secret !== app.appSecret) return this.sendJson(res, this.error(40125));
    if (params.get('grant_type') !== 'authorization_code') return this.sendJson(res, this.error(40002));
    if (!code) return this.sendJson(res, this.error(41008));
    if (this.used.has(code)) return this.sendJson(res, this.error(40163));

    const user = this.userForCode(code, appId);
    if (!user) return this.sendJson(res, this.error(40029));
    this.used.add(code);
    this.minted.delete(code);

    const sessionKey = randomBytes(16).toString('base64');
    this.issuedSessionKeys.push(sessionKey);
    if (this.issuedSessionKeys.length > 10_000) this.issuedSessionKeys.shift();
    const body: Record<string, string> = {
      session_key: sessionKey,
      openid: this.openidFor(appId, user),
    };
    if (app.openPlatformId) body.unionid = this.unionidFor(app.openPlatformId, user);
    this.sendJson(res, body);
  }

  private userForCode(code: string, appId: string): string | null {
    const minted = this.minted.get(code);
    if (minted) {
      return minted.appId === appId && minted.expiresAt > Date.now() ? minted.user : null;
    }
    const m = /^sim_([^_]+)_[A-Za-z0-9-]+$/.exec(code);
    return m && USER_PATTERN.test(m[1]) ? m[1] : null;
  }

  private async stableToken(body: unknown, res: http.ServerResponse): Promise<void> {
    this.stats.stableToken += 1;
    if (await this.applyFault(this.takeFault(null), res)) return;
    const { grant_type, appid, secret, force_refresh } = (body ?? {}) as Record<string, unknown>;
    if (grant_type !== 'client_credential') return this.sendJson(res, this.error(40002));
    if (typeof appid !== 'string' || !appid) return this.sendJson(res, this.error(41002));
    const app = this.apps.get(appid);
    if (!app) return this.sendJson(res, this.error(40013));
    if (typeof secret !== 'string' || !secret) return this.sendJson(res, this.error(41004));
    if (secret !== app.appSecret) return this.sendJson(res, this.error(40125));
    if (app.ipWhitelisted === false) {
      return this.sendJson(res, { errcode: 40164, errmsg: `invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist, rid: ${rid()}` });
    }
    const now = Date.now();
    let entry = this.tokens.get(appid);
    if (!entry || entry.expiresAt <= now || force_refresh === true) {
      entry = { token: randomBytes(48).toString('base64url'), expiresAt: now + 7200 * 1000 };
      this.tokens.set(appid, entry);
    }
    this.sendJson(res, { access_token: entry.token, expires_in: Math.round((entry.expiresAt - now) / 1000) });
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
