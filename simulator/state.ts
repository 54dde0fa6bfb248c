/** Everything the simulator knows: apps, users, codes, tokens, templates, what it sent, and the counters. */
import { createHmac, randomBytes } from 'crypto';
import { TokenRegistry } from './tokens';
import {
  API_NAMES,
  ApiCounts,
  ApiName,
  ContentWord,
  GeneratedWxaCode,
  OAuthScope,
  PhoneInfo,
  SentMessage,
  SimulatedApp,
  SimulatedAppType,
  SimulatorStats,
  WeChatSimulatorOptions,
} from './types';

export const DEMO_APP: SimulatedApp = {
  appId: 'wx0123456789abcdef',
  appSecret: '0123456789abcdef0123456789abcdef',
};

/** The Open Platform account the demo web apps (and, with `--web-logins`, the demo mini program) are bound to. */
export const DEMO_OPEN_PLATFORM = 'demo-open-platform';

/** The playground's demo Official Account and website app (docs/web-logins.md). */
export const DEMO_WEB_APPS: { officialAccount: SimulatedApp; website: SimulatedApp } = {
  officialAccount: {
    appId: 'wx0123456789abcd01',
    appSecret: '0123456789abcdef0123456789abcd01',
    type: 'officialAccount',
    openPlatformId: DEMO_OPEN_PLATFORM,
  },
  website: { appId: 'wx0123456789abcd02', appSecret: '0123456789abcdef0123456789abcd02', type: 'website', openPlatformId: DEMO_OPEN_PLATFORM },
};

/** A user name in a `sim_<user>_<nonce>` or `phone_<user>_<nonce>` code. */
export const USER_PATTERN = /^[A-Za-z0-9]{1,40}$/;

const MAX_KEPT = 10_000;
const MAX_KNOWN_OPENIDS = 100_000;

function derive(scope: string, user: string): string {
  // 'o' + 27 url-safe characters: the shape of real openids and unionids.
  return 'o' + createHmac('sha256', scope).update(user).digest('base64url').slice(0, 27);
}

/** The mobile number a `phone_<user>_<nonce>` code stands for: 139 and 8 digits derived from the user, China (+86). */
export function phoneNumberFor(user: string): PhoneInfo {
  const digits = createHmac('sha256', 'phone').update(user).digest().readUInt32BE(0) % 100_000_000;
  const pure = `139${String(digits).padStart(8, '0')}`;
  return { phoneNumber: pure, purePhoneNumber: pure, countryCode: '86' };
}

/** Appends to a list kept for tests, dropping the oldest beyond MAX_KEPT. */
export function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_KEPT) list.shift();
}

function words(list: Array<string | ContentWord> | undefined, fallback: ContentWord[], label: number): ContentWord[] {
  return list ? list.map((w) => (typeof w === 'string' ? { word: w, label } : w)) : fallback;
}

function zeroCounts(): ApiCounts {
  return Object.fromEntries(API_NAMES.map((name) => [name, 0])) as ApiCounts;
}

export interface MintedCode {
  appId: string;
  user: string;
  issuedAt: number;
  expiresAt: number;
}

export class SimulatorState {
  readonly apps = new Map<string, SimulatedApp>();
  readonly now: () => number;
  readonly codeTtlMs: number;
  readonly tokens: TokenRegistry;
  readonly unpublishedPages: Set<string>;
  readonly riskyWords: ContentWord[];
  readonly reviewWords: ContentWord[];

  /** wx.login codes minted by issueCode, and the codes code2session has accepted. */
  readonly minted = new Map<string, MintedCode>();
  readonly used = new Set<string>();
  /** Phone codes minted by issuePhoneCode, and those getuserphonenumber has accepted. */
  readonly phoneCodes = new Map<string, MintedCode & { phone: PhoneInfo }>();
  readonly usedPhoneCodes = new Set<string>();
  /** Codes of web and app authorizations (Official Account, website, Open SDK), for sns/oauth2/access_token. */
  readonly oauthCodes = new Map<string, MintedCode & { scope: OAuthScope; snapshot: boolean }>();
  /** Users' access tokens sns/oauth2/access_token handed out, for sns/userinfo. */
  readonly snsTokens = new Map<string, { appId: string; user: string; openid: string; scope: OAuthScope; expiresAt: number }>();
  /** openid → the app and user it belongs to: the users each app knows (bounded; the oldest are forgotten). */
  private readonly openids = new Map<string, { appId: string; user: string }>();
  /** `appId user` → the user's current session_key in that app (bounded like the openids). */
  private readonly sessionKeys = new Map<string, { key: string; issuedAt: number }>();
  sessionKeyRetentionMs: number;
  /** Subscribe message templates per AppID: template id → its keys (thing1, time2...). */
  readonly templates = new Map<string, Map<string, string[]>>();
  /** `appId templateId openid` of the users who refused a template. */
  readonly refusals = new Set<string>();
  private msgid = 2_000_000_000;

  readonly stats: Omit<SimulatorStats, 'openConnections'> = {
    code2session: 0,
    stableToken: 0,
    connections: 0,
    calls: {},
    totals: zeroCounts(),
    phoneBilled: {},
  };
  readonly receivedCodes: string[] = [];
  readonly issuedSessionKeys: string[] = [];
  readonly sentMessages: SentMessage[] = [];
  readonly wxaCodes: GeneratedWxaCode[] = [];

  constructor(options: WeChatSimulatorOptions) {
    for (const app of options.apps ?? [DEMO_APP]) this.apps.set(app.appId, app);
    this.now = options.now ?? Date.now;
    this.codeTtlMs = options.codeTtlMs ?? 5 * 60 * 1000;
    this.sessionKeyRetentionMs = options.sessionKeyRetentionMs ?? 0;
    const ttlSeconds = options.tokenTtlSeconds ?? 7200;
    this.tokens = new TokenRegistry({
      ttlMs: ttlSeconds * 1000,
      renewAheadMs: (options.tokenRenewAheadSeconds ?? Math.floor(ttlSeconds / 24)) * 1000,
      dailyLimit: options.forceRefreshDailyLimit ?? 20,
      intervalMs: options.forceRefreshIntervalMs ?? 30_000,
      tooSoon: options.forceRefreshTooSoon ?? 'same-token',
      now: this.now,
    });
    this.unpublishedPages = new Set(options.unpublishedPages ?? []);
    this.riskyWords = words(
      options.riskyWords,
      [
        { word: '违禁词', label: 20006 },
        { word: 'risky', label: 20006 },
      ],
      20006
    );
    this.reviewWords = words(
      options.reviewWords,
      [
        { word: 'review', label: 21000 },
        { word: '待审核', label: 21000 },
      ],
      21000
    );
  }

  count(api: ApiName, appId: string | undefined): void {
    this.stats.totals[api] += 1;
    if (api === 'code2session' || api === 'stableToken') this.stats[api] += 1;
    if (!appId) return;
    (this.stats.calls[appId] ??= zeroCounts())[api] += 1;
  }

  /** The openid of `user` in `appId`; from then on the app knows that user (subscribe touser, msg_sec_check openid). */
  rememberUser(appId: string, user: string): string {
    const openid = derive(`openid:${appId}`, user);
    if (!this.openids.has(openid)) {
      this.openids.set(openid, { appId, user });
      if (this.openids.size > MAX_KNOWN_OPENIDS) this.openids.delete(this.openids.keys().next().value as string);
    }
    return openid;
  }

  /**
   * The session_key a wx.login of `user` in `appId` leaves: a new one, replacing the current one (which stops
   * working: checksession 87009, data encrypted with it is another key's), unless the current one was issued
   * less than sessionKeyRetentionMs ago. WeChat may renew the key at each wx.login.
   */
  renewSessionKey(appId: string, user: string): string {
    const id = `${appId} ${user}`;
    const current = this.sessionKeys.get(id);
    const now = this.now();
    if (current && now - current.issuedAt < this.sessionKeyRetentionMs) return current.key;
    const key = randomBytes(16).toString('base64');
    this.sessionKeys.delete(id);
    this.sessionKeys.set(id, { key, issuedAt: now });
    if (this.sessionKeys.size > MAX_KNOWN_OPENIDS) this.sessionKeys.delete(this.sessionKeys.keys().next().value as string);
    keep(this.issuedSessionKeys, key);
    return key;
  }

  /** The current session_key of `user` in `appId`; null before the user's first wx.login there. */
  sessionKeyOf(appId: string, user: string): string | null {
    return this.sessionKeys.get(`${appId} ${user}`)?.key ?? null;
  }

  userOf(openid: unknown): { appId: string; user: string } | undefined {
    return typeof openid === 'string' ? this.openids.get(openid) : undefined;
  }

  unionidFor(openPlatformId: string, user: string): string {
    return derive(`unionid:${openPlatformId}`, user);
  }

  /** Whether `page` (a leading slash and a query ignored) is unpublished in `appId`. */
  isUnpublished(appId: string, page: string): boolean {
    const path = page.replace(/^\/+/, '').split('?')[0];
    return this.unpublishedPages.has(path) || (this.apps.get(appId)?.unpublishedPages ?? []).includes(path);
  }

  /** A fresh random code for `user` in `appId`, valid codeTtlMs from now (the caller stores it); the app knows the user from then on. */
  newCode(appId: string, user: string, bytes: number): { code: string; entry: MintedCode } {
    const now = this.now();
    this.rememberUser(appId, user);
    return { code: randomBytes(bytes).toString('hex'), entry: { appId, user, issuedAt: now, expiresAt: now + this.codeTtlMs } };
  }

  /** The type of `appId` (miniProgram when not set); undefined for an unknown app. */
  typeOf(appId: string): SimulatedAppType | undefined {
    const app = this.apps.get(appId);
    return app ? (app.type ?? 'miniProgram') : undefined;
  }

  /** A web or app authorization's code for `user` in `appId` (single use, codeTtlMs). `snapshot`: a 朋友圈 snapshot page's virtual user. */
  newOAuthCode(appId: string, user: string, scope: OAuthScope, snapshot = false): string {
    const { code, entry } = this.newCode(appId, user, 16);
    this.oauthCodes.set(code, { ...entry, scope, snapshot });
    return code;
  }

  /** The scope an app's authorization asks when the caller names none: what its kind of login asks. */
  defaultScope(appId: string): OAuthScope {
    return this.typeOf(appId) === 'website' ? 'snsapi_login' : 'snsapi_userinfo';
  }

  nextMsgid(): number {
    this.msgid += 1;
    return this.msgid;
  }
}
