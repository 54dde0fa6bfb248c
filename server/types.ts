import type { Strapi } from './strapi/types';

export type { Strapi };

/** A window and how many requests fit in it. */
export interface RateLimitBudgetConfig {
  /** Window length: milliseconds, or a time object such as `{ min: 1 }` (units ms, sec, min, hour, day). */
  interval: number | Record<string, number>;
  max: number;
}

/** The routes that spend WeChat quota, each limited per user (the JWT's user id); `false` turns one off. */
export interface PerUserRateLimitConfig {
  /** POST /phone and the GraphQL wechatBindPhone (the phone number API). Counted: requests that pass validation. */
  phone: RateLimitBudgetConfig | false;
  /** PUT/POST /profile that set a nickname (the nickname's msgSecCheck). */
  profile: RateLimitBudgetConfig | false;
  /** POST /decrypt (decryption with the user's stored session key). */
  decrypt: RateLimitBudgetConfig | false;
}

/** Where the counts live: this process (one instance), or a Redis every instance shares. */
export type RateLimitStoreConfig =
  | { type: 'memory' }
  | {
      type: 'redis';
      /** redis:// or rediss:// URL (credentials in it are never logged). */
      url: string;
      /** Put before every key (default `strapi-wechat-miniprogram-auth:ratelimit:`). */
      prefix?: string;
      /** The longest a request waits for Redis, in milliseconds (default 200); past it the request goes through uncounted. */
      timeout?: number;
    };

/** `interval` and `max`: the login's budget, per client address. */
export interface RateLimitConfig extends RateLimitBudgetConfig {
  /** All of the plugin's rate limits. */
  enabled: boolean;
  /** Reverse proxies in front of Strapi that append to X-Forwarded-For (0: the socket's peer is the client); unset: from the app's `proxy` settings. */
  trustedProxies?: number;
  perUser: PerUserRateLimitConfig;
  store: RateLimitStoreConfig;
}

/**
 * What kind of WeChat app an AppID is, which decides where its login codes come from: `wx.login`
 * (miniProgram), WeChat's web authorization in its own browser (officialAccount), the Open Platform
 * website QR login (website) or the WeChat Open SDK (mobileApp).
 */
export type AppType = 'miniProgram' | 'officialAccount' | 'website' | 'mobileApp';

export const APP_TYPES: readonly AppType[] = ['miniProgram', 'officialAccount', 'website', 'mobileApp'];

/** What an Official Account's web authorization asks: the openid silently, or the user's profile (a consent page). */
export type OfficialAccountScope = 'snsapi_base' | 'snsapi_userinfo';

/** One WeChat app as config/plugins declares it. */
export interface AppConfig {
  appId: string;
  /** When absent, the secret saved from the admin panel is used. */
  appSecret?: string;
  name?: string;
  /** Default `miniProgram`. */
  type?: AppType;
  /** officialAccount only (default `snsapi_userinfo`). */
  scope?: OfficialAccountScope;
  /** officialAccount and website: pages this app's browser logins may return to, besides `oauth.redirectAllowList`. */
  redirectAllowList?: string[];
}

/** The browser logins of Official Accounts and website apps (docs/web-logins.md). */
export interface OAuthConfig {
  /** Pages every browser login may return to: absolute URLs; one ending in `/` also allows the pages below it. */
  redirectAllowList: string[];
  /** How long a browser has to come back from WeChat, in milliseconds. */
  stateTtl: number;
  /** How long the one-time login code handed to the page stays valid, in milliseconds. */
  loginCodeTtl: number;
  /** Origin of WeChat's authorization pages (open.weixin.qq.com). */
  authorizeBaseUrl: string;
  /** This Strapi's public origin for the callback URL WeChat returns to (default: server.url, else the request's origin). */
  callbackBaseUrl?: string;
}

export interface PluginConfig {
  /** 1.0 shorthand for one app; still valid, put first when `apps` is also given. */
  appId?: string;
  appSecret?: string;
  apps: AppConfig[];
  /** The app a login without `appId` uses; otherwise the first app. */
  defaultAppId?: string;
  /** A login whose unionid is already linked to a user lands on that user. */
  linkByUnionid: boolean;
  /** How long one instance keeps the merged app list, in milliseconds (0: read it on every login). */
  credentialsCacheTtl: number;
  /** Origin of WeChat's server API. */
  apiBaseUrl: string;
  /** Deadline for one call to WeChat, in milliseconds. */
  timeout: number;
  ratelimit: RateLimitConfig;
  oauth: OAuthConfig;
  profile: ProfileConfig;
  encryption: EncryptionConfig;
  activity: ActivityConfig;
  qrLogin: QrLoginConfig;
  /** Refuse to start on a key the plugin does not know (false: a warning names it). */
  strictConfig: boolean;
}

/** PUT /api/strapi-wechat-miniprogram-auth/profile. */
export interface ProfileConfig {
  /** Largest avatar accepted, in bytes (larger: 413, nothing stored). */
  avatarMaxBytes: number;
  /** Longest nickname accepted, in characters (after trimming). */
  nicknameMaxLength: number;
  /**
   * Check nicknames with WeChat's msgSecCheck v2 (scene 1, the user's openid). While on, no unchecked
   * text is stored or shown: a nickname WeChat could not check is refused (503), and GET /profile
   * never falls back to the login's userInfo.
   */
  contentSecurity: boolean;
}

/** Logging in on a website by scanning a mini program code (docs/qr-login.md). */
export interface QrLoginConfig {
  /** The /qr-logins routes answer 404 while off. */
  enabled: boolean;
  /** The mini program page the code opens (its confirm page), e.g. pages/qr-login/index; unset: the home page. */
  page?: string;
  /** Which version of the mini program the code opens. */
  envVersion: 'release' | 'trial' | 'develop';
  /** false: WeChat makes the code even when `page` is not in the published version (needed while developing). */
  checkPath: boolean;
  /** How long a ticket may wait for its scan and confirmation, in seconds (30–600). */
  ttlSeconds: number;
  /** Tickets one network (IPv4 /24, IPv6 /48) may create per window; false: no limit. */
  ratelimit: RateLimitBudgetConfig | false;
}

/** AES-256-GCM for the secrets the plugin keeps (AppSecrets, access tokens, session keys). */
export interface EncryptionConfig {
  /** 32 bytes, base64 or hex (default: env WECHAT_AUTH_ENCRYPTION_KEY). */
  key?: string;
  /** Keys used before a rotation: still read, re-encrypted with `key` at startup. */
  previousKeys: string[];
  /** Without a key the secrets stay in plaintext: 'warn' logs it at every start, 'error' refuses to start (production only). */
  onMissingKey: 'warn' | 'error';
}

/** The login activity the admin panel charts (logins per day per app, WeChat errors per day). */
export interface ActivityConfig {
  /** Count logins and WeChat errors (false: nothing is counted or stored; the charts show what was stored before). */
  enabled: boolean;
  /** How often each instance adds what it counted to the database, in milliseconds. */
  flushIntervalMs: number;
  /** The IANA time zone whose calendar days the counts are per ('Asia/Shanghai'). */
  timezone: string;
}

/** An app as the admin panel stores it. */
export interface StoredApp {
  appId: string;
  name?: string;
  appSecret?: string;
  /** Absent: miniProgram. */
  type?: AppType;
}

/** What the admin panel stores (plugin store key `settings`). */
export interface StoredSettings {
  apps: StoredApp[];
  defaultAppId?: string;
  /** Set once the credentials left by version 0.0.5 were imported (so a removed app is not imported again). */
  legacyCredentialsImported?: boolean;
  /** The app whose openids 0.0.5/1.0 kept on the users (recorded at the upgrade; the default app when none was). */
  legacyAppId?: string;
}

export type CredentialSource = 'config' | 'store' | null;

export interface Credentials {
  appId: string;
  appSecret: string;
  type: AppType;
  /** officialAccount: the scope its web authorization asks. */
  scope: OfficialAccountScope;
  /** The app's own redirect allow-list (config only). */
  redirectAllowList: string[];
}

/** One app of the merged list (config + store), with where each part comes from. */
export interface ResolvedApp {
  appId: string;
  name: string | null;
  type: AppType;
  scope: OfficialAccountScope;
  redirectAllowList: string[];
  source: 'config' | 'store';
  appSecret: string | null;
  appSecretSource: CredentialSource;
}

export interface ResolvedApps {
  apps: ResolvedApp[];
  defaultAppId: string | null;
  defaultAppIdSource: 'config' | 'store' | 'first' | null;
  /** The app the openids kept on users by 0.0.5/1.0 belong to. */
  legacyAppId: string | null;
}

export interface WeChatUserInfo {
  nickName?: string;
  avatarUrl?: string;
  gender?: 0 | 1 | 2;
  language?: string;
  city?: string;
  province?: string;
  country?: string;
  is_demote?: boolean;
}

export interface LoginBody {
  code: string;
  appId?: string;
  userInfo?: WeChatUserInfo;
  /** A getPhoneNumber code: the phone number is bound after the login, in the same request. */
  phoneCode?: string;
  /** Strapi 5 with jwtManagement 'refresh': the device the session is for (as users-permissions' own login takes it). */
  deviceId?: string;
}

/** A users-permissions user row with the attributes this plugin adds. */
export interface WeChatUser {
  id: number;
  username: string | null;
  email: string | null;
  provider: string | null;
  confirmed: boolean | null;
  blocked: boolean | null;
  /** The openid of the app the user logged in from (legacy column: 0.0.5 and 1.0 stored one here). */
  openid: string | null;
  unionid: string | null;
  wechatUserInfo: WeChatUserInfo | null;
  [key: string]: unknown;
}

/** One WeChat identity: a user's openid in one app. */
export interface Identity {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  sessionKey: string | null;
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
