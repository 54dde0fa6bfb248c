import type { Strapi } from '@strapi/strapi';

export type { Strapi };

export interface RateLimitConfig {
  enabled: boolean;
  /** Window length: milliseconds, or a koa2-ratelimit time object such as `{ min: 1 }`. */
  interval: number | Record<string, number>;
  /** Requests allowed per client IP in one window. */
  max: number;
}

export interface PluginConfig {
  /** When set, wins over the AppID stored from the admin panel. */
  appId?: string;
  /** When set, wins over the AppSecret stored from the admin panel. */
  appSecret?: string;
  /** Origin of WeChat's server API. */
  apiBaseUrl: string;
  /** Deadline for one call to WeChat, in milliseconds. */
  timeout: number;
  ratelimit: RateLimitConfig;
}

/** What the admin panel stores (plugin store key `settings`). */
export interface StoredSettings {
  appId?: string;
  appSecret?: string;
}

export type CredentialSource = 'config' | 'store' | null;

export interface Credentials {
  appId: string;
  appSecret: string;
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
  userInfo?: WeChatUserInfo;
}

/** A users-permissions user row with the attributes this plugin adds. */
export interface WeChatUser {
  id: number;
  username: string | null;
  email: string | null;
  provider: string | null;
  confirmed: boolean | null;
  blocked: boolean | null;
  openid: string | null;
  unionid: string | null;
  wechatSessionKey: string | null;
  wechatUserInfo: WeChatUserInfo | null;
  [key: string]: unknown;
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
