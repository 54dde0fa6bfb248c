/** The simulator's public types (re-exported by wechat-simulator.ts). */

/** What kind of app an AppID is: which of WeChat's login APIs accept it. */
export type SimulatedAppType = 'miniProgram' | 'officialAccount' | 'website' | 'mobileApp';

export interface SimulatedApp {
  appId: string;
  appSecret: string;
  /** Default miniProgram: jscode2session takes its codes; the others' go to sns/oauth2/access_token. */
  type?: SimulatedAppType;
  /** Open Platform account the app is bound to: when set, code2session, sns/oauth2/access_token and sns/userinfo return a unionid. */
  openPlatformId?: string;
  /** When false, stable_token answers 40164 (caller IP not in the whitelist). */
  ipWhitelisted?: boolean;
  /** Pages that are not in this app's published version (subscribe `page`, getwxacodeunlimit `page` → 41030). */
  unpublishedPages?: string[];
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

/** A word that makes msg_sec_check answer `suggest` risky/review, with the label it reports. */
export interface ContentWord {
  word: string;
  label: number;
}

export interface WeChatSimulatorOptions {
  apps?: SimulatedApp[];
  port?: number;
  /** How long a minted code (wx.login or phone) stays valid (WeChat: about 5 minutes). */
  codeTtlMs?: number;
  /**
   * How long a session_key stays the user's after it was issued: a wx.login within that time gets the same key
   * back (WeChat renews it no more often than its minimum period, so logins close together share one). 0, the
   * default: a new key at every wx.login (the worst case for a server that stores it).
   */
  sessionKeyRetentionMs?: number;
  /** Lifetime of an access token (WeChat: 7200). `expires_in` counts down from it. */
  tokenTtlSeconds?: number;
  /**
   * Normal-mode stable_token hands out a new token when the current one has less than this left; the old one stays
   * valid until it expires (WeChat: 5 minutes of 2 hours). Default: 1/24 of tokenTtlSeconds in whole seconds, so
   * 300 for 7200 and 0 (the same token until expiry) below 24.
   */
  tokenRenewAheadSeconds?: number;
  /** force_refresh calls allowed per AppID per day (Beijing time; WeChat: 20). Beyond: 45009. */
  forceRefreshDailyLimit?: number;
  /** Minimum time between two force_refresh calls of an AppID (WeChat: 30 s). */
  forceRefreshIntervalMs?: number;
  /**
   * A force_refresh sooner than forceRefreshIntervalMs after the last one: 'same-token' (default, WeChat's documented
   * "otherwise it does not refresh": the current token comes back unchanged) or 'errcode' (45011).
   */
  forceRefreshTooSoon?: 'same-token' | 'errcode';
  /** Pages not published, for every app (besides each app's own unpublishedPages). */
  unpublishedPages?: string[];
  /** msg_sec_check: content containing one of these is risky. Default 违禁词, risky (label 20006). */
  riskyWords?: Array<string | ContentWord>;
  /** msg_sec_check: content containing one of these (and no risky word) needs review. Default review, 待审核 (label 21000). */
  reviewWords?: Array<string | ContentWord>;
  /** The clock (ms since the epoch): code and token expiry, force_refresh quotas, watermarks. Default Date.now. */
  now?: () => number;
}

/** What the per-AppID counters count: requests received by each API (whatever they answered). */
export type ApiName =
  'code2session' | 'stableToken' | 'stableTokenForced' | 'phone' | 'subscribe' | 'qrcode' | 'msgSecCheck' | 'checkSession' | 'snsAccessToken' | 'snsUserInfo';

export type ApiCounts = Record<ApiName, number>;

export interface SimulatorStats {
  /** code2session requests (all apps). */
  code2session: number;
  /** stable_token requests, normal and forced (all apps). */
  stableToken: number;
  /** TCP connections accepted since start (keep-alive shows as fewer connections than calls). */
  connections: number;
  openConnections: number;
  /**
   * Requests per AppID and API. The AppID is the one the request names (code2session, stable_token) or the one its
   * access token belongs to (the other APIs); a request with an unknown token is only in `totals`.
   */
  calls: Record<string, ApiCounts>;
  /** Requests per API, all apps, including those whose AppID could not be told. */
  totals: ApiCounts;
  /** Successful getuserphonenumber calls per AppID (what WeChat bills). */
  phoneBilled: Record<string, number>;
}

export interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export interface SentMessage {
  msgid: number;
  appId: string;
  touser: string;
  /** The simulator's user behind `touser`. */
  user: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState?: string;
  lang?: string;
  sentAt: number;
}

/** What wx.getWeRunData's encryptedData holds (before the watermark): the user's steps of the last 31 days. */
export interface WeRunData {
  /** Oldest first; `timestamp`: that day's midnight, Beijing time, in seconds. */
  stepInfoList: Array<{ timestamp: number; step: number }>;
}

/** The watermark WeChat puts in encrypted open data: the AppID it was made for and when (seconds). */
export interface Watermark {
  appid: string;
  timestamp: number;
}

export interface EncryptedData {
  encryptedData: string;
  iv: string;
}

/** What a user granted in a web or app authorization: the scope its code carries. */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

export interface GeneratedWxaCode {
  appId: string;
  scene: string;
  page?: string;
  /** The width asked for, clamped to 280..1280 (default 430). The image itself is a small stand-in. */
  width: number;
  envVersion: string;
  checkPath: boolean;
  isHyaline: boolean;
  lineColor: { r: number; g: number; b: number };
  bytes: number;
}

export const API_NAMES: readonly ApiName[] = [
  'code2session',
  'stableToken',
  'stableTokenForced',
  'phone',
  'subscribe',
  'qrcode',
  'msgSecCheck',
  'checkSession',
  'snsAccessToken',
  'snsUserInfo',
];
