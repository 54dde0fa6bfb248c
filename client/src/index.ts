export { createClient, WechatAuthClient } from './client';
export type {
  ClientOptions,
  EncryptedData,
  EncryptedDataSource,
  LoginParams,
  LoginResult,
  PhoneResult,
  ProfileUpdate,
  QrLoginApi,
  QrLoginBrowser,
  QrLoginScan,
  RequestOptions,
} from './client';
export { StrapiError } from './errors';
export type { StrapiErrorBody } from './errors';
export type { Platform, PlatformFailure, PlatformLoginOptions, PlatformRequestOptions, PlatformUploadOptions } from './platform';
export type { Session, WechatUser } from './session-store';
export type { QueryValue } from './url';
