/**
 * A WeChat server API simulator for tests, the playground and benchmarks.
 *
 * It answers like https://api.weixin.qq.com does (HTTP 200 with errcode/errmsg, text/plain bodies) for the endpoints
 * this plugin uses, and can be told to misbehave: WeChat errcodes, latency, hangs, connection resets, HTTP 500 and
 * non-JSON bodies.
 *
 *   GET  /sns/jscode2session                   endpoints/code2session.ts
 *   POST /cgi-bin/stable_token                 endpoints/stable-token.ts, tokens.ts
 *   POST /wxa/business/getuserphonenumber      endpoints/phone-number.ts
 *   POST /cgi-bin/message/subscribe/send       endpoints/subscribe-message.ts
 *   POST /wxa/getwxacodeunlimit                endpoints/wxa-code.ts, png.ts
 *   POST /wxa/msg_sec_check                    endpoints/msg-sec-check.ts
 *   GET  /wxa/checksession                     endpoints/check-session.ts
 *   GET  /sns/oauth2/access_token, /sns/userinfo        endpoints/sns-oauth.ts (web and app logins)
 *   GET  /connect/oauth2/authorize, /connect/qrconnect  oauth-pages.ts (consent pages that redirect back)
 * The last five take `?access_token=`: missing 41001, not of the simulator's shape 40014, unknown or invalidated
 * 40001, expired 42001. The token decides the app: another app's code, openid or template answers as such
 * (40029, 40003 / 43104, 40037). A wrong HTTP method answers 43002 (require POST) / 43001 (require GET).
 * Control endpoints for other processes (the playground, the benchmark): control.ts.
 *
 * Codes a test can use without asking the simulator first:
 *   sim_<user>_<nonce>            a valid, single-use wx.login code for <user> (any app)
 *   phone_<user>_<nonce>          a valid, single-use phone code for <user> (any app): phoneNumberFor(user)
 *   fault_<fault>_<nonce>         a code that triggers <fault>: err<errcode>, delay<ms>, hang,
 *                                 drip (a body trickling one byte every 200 ms), reset, http500,
 *                                 nonjson, html. Read from code2session's js_code, the phone code, the subscribe
 *                                 template_id, the getwxacodeunlimit scene and the msg_sec_check content.
 * setFault() applies to the next requests to any of the WeChat APIs above, or to one of them.
 */
import http from 'http';
import type { AddressInfo, Socket } from 'net';
import { control } from './control';
import { ENDPOINTS } from './endpoints';
import { wxError } from './errors';
import { applyFault, parseFaultCode } from './faults';
import { parseJsonObject, readBody, sendJson, sendReply, SimRequest } from './http-io';
import { encryptOpenData, weRunDataFor } from './open-data';
import { oauthPage } from './oauth-pages';
import { DEMO_APP, DEMO_OPEN_PLATFORM, DEMO_WEB_APPS, phoneNumberFor, SimulatorState } from './state';
import type {
  ApiName,
  EncryptedData,
  Fault,
  GeneratedWxaCode,
  OAuthScope,
  PhoneInfo,
  SentMessage,
  SimulatedApp,
  SimulatorStats,
  Watermark,
  WeChatSimulatorOptions,
  WeRunData,
} from './types';

export { DEMO_APP, DEMO_OPEN_PLATFORM, DEMO_WEB_APPS, parseFaultCode, phoneNumberFor };
export { readPngText } from './png';
export type { SimulatedAppType } from './types';
export type {
  ApiCounts,
  ApiName,
  ContentWord,
  EncryptedData,
  Fault,
  GeneratedWxaCode,
  OAuthScope,
  PhoneInfo,
  SentMessage,
  SimulatedApp,
  SimulatorStats,
  Watermark,
  WeChatSimulatorOptions,
  WeRunData,
} from './types';

export class WeChatSimulator {
  private readonly state: SimulatorState;
  private readonly sockets = new Set<Socket>();
  private readonly port: number;
  private server: http.Server | null = null;
  private fault: Fault | null = null;
  private faultTimes = Infinity;
  private faultApi: ApiName | null = null;
  readonly stats: Omit<SimulatorStats, 'openConnections'>;
  /** The js_code of every code2session call, as received (the latest 10,000). */
  readonly receivedCodes: string[];
  /** Every session_key issued, by a wx.login (issueCode) or a code2session (the latest 10,000), so tests can check none leaks. */
  readonly issuedSessionKeys: string[];
  /** Every subscribe message sent (the latest 10,000). */
  readonly sentMessages: SentMessage[];
  /** Every mini program code generated (the latest 10,000). */
  readonly wxaCodes: GeneratedWxaCode[];
  baseUrl = '';

  constructor(options: WeChatSimulatorOptions = {}) {
    this.state = new SimulatorState(options);
    this.port = options.port ?? 0;
    this.stats = this.state.stats;
    this.receivedCodes = this.state.receivedCodes;
    this.issuedSessionKeys = this.state.issuedSessionKeys;
    this.sentMessages = this.state.sentMessages;
    this.wxaCodes = this.state.wxaCodes;
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

  /** A copy of the counters (safe to keep and compare with later ones). */
  getStats(): SimulatorStats {
    return { ...structuredClone(this.stats), openConnections: this.sockets.size };
  }

  addApp(app: SimulatedApp): void {
    this.state.apps.set(app.appId, app);
  }

  /**
   * Every following request (or the next `times` ones) misbehaves as `fault` says; null clears it. With `api`,
   * only requests to that API do (e.g. msgSecCheck over its daily quota: `{ kind: 'errcode', errcode: 45009 }`),
   * and only they count towards `times`.
   */
  setFault(fault: Fault | null, times = Infinity, api?: ApiName): void {
    this.fault = fault;
    this.faultTimes = times;
    this.faultApi = api ?? null;
  }

  /** From now on, a wx.login within `ms` of the user's key being issued gets that key back (0: a new key every time). */
  setSessionKeyRetention(ms: number): void {
    this.state.sessionKeyRetentionMs = ms;
  }

  /**
   * What wx.login would give `user` on the device: a fresh single-use code. Like WeChat, the login renews the user's
   * session_key in `appId` now, whether or not the code ever reaches a server: the key an earlier code2session
   * answered is outdated from then on (checksession 87009; encryptData uses the new one).
   */
  issueCode(appId: string, user: string): string {
    const { code, entry } = this.state.newCode(appId, user, 16);
    this.state.minted.set(code, entry);
    this.state.renewSessionKey(appId, user);
    return code;
  }

  /** The current session_key of `user` in `appId` (null before their first wx.login there), e.g. to check none leaks. */
  sessionKeyFor(appId: string, user: string): string | null {
    return this.state.sessionKeyOf(appId, user);
  }

  /**
   * What a wx API with encrypted data (wx.getWeRunData, wx.getShareInfo...) would hand `user` in `appId` now:
   * `data` (default weRunDataFor(user)) with `watermark: { appid: appId, timestamp: now in seconds }`, encrypted with
   * the user's current session_key. `watermark` replaces fields of that watermark, or with null leaves it out;
   * `sessionKey` encrypts with another key. Throws when the user has no session_key in `appId` (no wx.login there yet).
   */
  encryptData(
    appId: string,
    user: string,
    data?: Record<string, unknown>,
    options: { watermark?: Partial<Watermark> | null; sessionKey?: string } = {}
  ): EncryptedData {
    const key = options.sessionKey ?? this.state.sessionKeyOf(appId, user);
    if (!key) throw new Error(`${user} has no session_key in ${appId}: no wx.login there yet`);
    const payload: Record<string, unknown> = { ...(data ?? this.weRunDataFor(user)) };
    if (options.watermark !== null) payload.watermark = { appid: appId, timestamp: Math.floor(this.state.now() / 1000), ...options.watermark };
    return encryptOpenData(key, payload);
  }

  /** What wx.getWeRunData holds for `user` (before its watermark): 31 days of steps, derived from the user and the day. */
  weRunDataFor(user: string): WeRunData {
    return weRunDataFor(user, this.state.now());
  }

  /**
   * What `<button open-type="getPhoneNumber">` would give `user` in `appId`: a fresh single-use phone code (64 hex
   * digits, valid codeTtlMs). `phone`: digits of a Chinese number, or { purePhoneNumber, countryCode } (phoneNumber is
   * then `+<countryCode><purePhoneNumber>` outside China); default phoneNumberFor(user).
   */
  issuePhoneCode(appId: string, user: string, phone?: string | { purePhoneNumber: string; countryCode: string }): string {
    const { code, entry } = this.state.newCode(appId, user, 32);
    let info: PhoneInfo = phoneNumberFor(user);
    if (typeof phone === 'string') info = { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' };
    else if (phone) {
      const { purePhoneNumber, countryCode } = phone;
      info = { phoneNumber: countryCode === '86' ? purePhoneNumber : `+${countryCode}${purePhoneNumber}`, purePhoneNumber, countryCode };
    }
    this.state.phoneCodes.set(code, { ...entry, phone: info });
    return code;
  }

  /**
   * What an Official Account's or website's authorization (or the WeChat Open SDK) would give `user` in `appId`: a
   * fresh single-use code for sns/oauth2/access_token. `scope` defaults to the app's (snsapi_login for a website,
   * snsapi_userinfo otherwise); `snapshot`: the user is on a 朋友圈 snapshot page (a virtual openid, is_snapshotuser 1).
   */
  issueOAuthCode(appId: string, user: string, options: { scope?: OAuthScope; snapshot?: boolean } = {}): string {
    return this.state.newOAuthCode(appId, user, options.scope ?? this.state.defaultScope(appId), options.snapshot);
  }

  /** The number a `phone_<user>_<nonce>` code (or issuePhoneCode without a number) gives. */
  phoneNumberFor(user: string): PhoneInfo {
    return phoneNumberFor(user);
  }

  /** The openid of `user` in `appId`. From then on the app knows that user (subscribe touser, msg_sec_check openid). */
  openidFor(appId: string, user: string): string {
    return this.state.rememberUser(appId, user);
  }

  unionidFor(openPlatformId: string, user: string): string {
    return this.state.unionidFor(openPlatformId, user);
  }

  /** The token normal-mode stable_token would answer for `appId` now (issued if needed); not counted as a call. */
  getAccessToken(appId: string): string {
    return this.state.tokens.normal(appId).access_token;
  }

  /**
   * The current token of `appId` stops working (40001), as when it was force-refreshed elsewhere. Normal-mode
   * stable_token keeps answering that dead token until a force_refresh or its expiry; with `stableReturnsNew` it
   * answers a fresh one. Returns the token, or null when `appId` has none yet.
   */
  invalidateToken(appId: string, options: { stableReturnsNew?: boolean } = {}): string | null {
    return this.state.tokens.invalidate(appId, options);
  }

  /** The current token of `appId` answers 42001 from now on; normal-mode stable_token answers a fresh one. */
  expireToken(appId: string): string | null {
    return this.state.tokens.expire(appId);
  }

  /** Resets the force_refresh daily count and 30 s spacing of `appId` (WeChat's clear_quota). */
  clearQuota(appId: string): void {
    this.state.tokens.clearQuota(appId);
  }

  /** Registers a subscribe message template of `appId` with its keys (thing1, time2...; the prefix sets the value rules). */
  addTemplate(appId: string, templateId: string, keys: string[]): void {
    let templates = this.state.templates.get(appId);
    if (!templates) this.state.templates.set(appId, (templates = new Map<string, string[]>()));
    templates.set(templateId, [...keys]);
  }

  /** `userOrOpenid` (a simulator user name, or an openid of `appId`) refused `templateId`: sending it answers 43101. */
  refuseSubscription(appId: string, userOrOpenid: string, templateId: string): void {
    const openid = this.state.userOf(userOrOpenid)?.appId === appId ? userOrOpenid : this.openidFor(appId, userOrOpenid);
    this.state.refusals.add(`${appId} ${templateId} ${openid}`);
  }

  private takeFault(code: string | null, api: ApiName): Fault | null {
    const fromCode = code ? parseFaultCode(code) : null;
    if (fromCode) return fromCode;
    if (this.fault && this.faultTimes > 0 && (this.faultApi === null || this.faultApi === api)) {
      this.faultTimes -= 1;
      const fault = this.fault;
      if (this.faultTimes <= 0) this.fault = null;
      return fault;
    }
    return null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const rawBody = await readBody(req);
    const simReq: SimRequest = { query: url.searchParams, json: parseJsonObject(rawBody), rawBody };
    const page = oauthPage(this.state, req.method ?? 'GET', url, rawBody, req.headers.cookie);
    if (page) {
      res.writeHead(page.status, page.headers);
      res.end(page.body);
      return;
    }
    const endpoint = ENDPOINTS.get(url.pathname);
    if (!endpoint) {
      const answer = control(this, req.method ?? 'GET', url.pathname, simReq.json);
      if (answer !== undefined) return sendJson(res, answer);
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(JSON.stringify({ errcode: 404, errmsg: 'not found' }));
      return;
    }
    if (req.method !== endpoint.method) return sendJson(res, wxError(endpoint.method === 'POST' ? 43002 : 43001));

    const token = endpoint.needsToken ? url.searchParams.get('access_token') : null;
    const appId = endpoint.needsToken ? this.state.tokens.appIdOf(token) : endpoint.appIdOf?.(simReq);
    this.state.count(endpoint.api, appId);
    endpoint.received?.(this.state, simReq, appId);
    if (await applyFault(this.takeFault(endpoint.faultCode?.(simReq) ?? null, endpoint.api), res)) return;
    if (endpoint.needsToken) {
      const check = this.state.tokens.check(token);
      if (!check.ok) return sendJson(res, wxError(check.errcode));
    }
    sendReply(res, endpoint.handle(this.state, simReq, appId));
  }
}
