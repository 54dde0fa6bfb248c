import { APP_TYPES, type PluginConfig } from '../types';
import { APP_ID_PATTERN, APP_SECRET_PATTERN } from '../utils/app-id';
import { ENCRYPTION_KEY_FORMAT, isEncryptionKey } from '../crypto/secret-box';
import { findUnknownKeys, unknownKeyMessage, type KeyShape, type UnknownKey } from './unknown-keys';
import { hiddenCharacterIn, hiddenCharacterMessage } from '../utils/display-name';
import { INTERVAL_UNITS } from '../rate-limit/budget';
import { isTimeZone } from '../activity/counter';
import { PAGE_PATTERN } from '../services/wechat-input';

const PER_USER_FAMILIES = ['phone', 'profile', 'decrypt'];

export const DEFAULT_API_BASE_URL = 'https://api.weixin.qq.com';
export const DEFAULT_AUTHORIZE_BASE_URL = 'https://open.weixin.qq.com';
const OFFICIAL_ACCOUNT_SCOPES = ['snsapi_base', 'snsapi_userinfo'];
/** Browser logins return to one of these pages (docs/web-logins.md). */
const BROWSER_APP_TYPES = ['officialAccount', 'website'];

// A function, so every load gets a fresh object (Strapi merges the user's config into it).
const defaults = (): PluginConfig => ({
  apps: [],
  linkByUnionid: true,
  credentialsCacheTtl: 3000,
  apiBaseUrl: DEFAULT_API_BASE_URL,
  timeout: 5000,
  // Per client IP. Generous, because a whole carrier NAT (many phones) can share one address;
  // it is there to stop one abusive client, not busy networks.
  ratelimit: {
    enabled: true,
    interval: { min: 1 },
    max: 600,
    // Per user: what one account may spend of the app's daily WeChat quota (phone numbers are billed).
    perUser: {
      phone: { interval: { hour: 1 }, max: 10 },
      profile: { interval: { hour: 1 }, max: 30 },
      decrypt: { interval: { hour: 1 }, max: 60 },
    },
    store: { type: 'memory' },
  },
  // WeChat's own codes live 5 minutes; a browser that takes longer than 10 starts again.
  oauth: { redirectAllowList: [], stateTtl: 10 * 60 * 1000, loginCodeTtl: 60 * 1000, authorizeBaseUrl: DEFAULT_AUTHORIZE_BASE_URL },
  profile: { avatarMaxBytes: 2 * 1024 * 1024, nicknameMaxLength: 32, contentSecurity: false },
  encryption: { key: process.env.WECHAT_AUTH_ENCRYPTION_KEY || undefined, previousKeys: [], onMissingKey: 'warn' },
  // Days are counted in China's time by default: the mini programs' users are there.
  activity: { enabled: true, flushIntervalMs: 5000, timezone: 'Asia/Shanghai' },
  qrLogin: { enabled: false, envVersion: 'release', checkPath: true, ttlSeconds: 120, ratelimit: { interval: { min: 1 }, max: 10 } },
  strictConfig: false,
});

/** Every key of the config (PluginConfig), for telling unknown keys apart. */
export const CONFIG_KEYS = {
  appId: true,
  appSecret: true,
  apps: [{ appId: true, appSecret: true, name: true, type: true, scope: true, redirectAllowList: true }],
  defaultAppId: true,
  linkByUnionid: true,
  credentialsCacheTtl: true,
  apiBaseUrl: true,
  timeout: true,
  // `interval`'s units are checked with its value.
  ratelimit: { enabled: true, interval: true, max: true, trustedProxies: true, perUser: true, store: true },
  oauth: { redirectAllowList: true, stateTtl: true, loginCodeTtl: true, authorizeBaseUrl: true, callbackBaseUrl: true },
  profile: { avatarMaxBytes: true, nicknameMaxLength: true, contentSecurity: true },
  encryption: { key: true, previousKeys: true, onMissingKey: true },
  activity: { enabled: true, flushIntervalMs: true, timezone: true },
  qrLogin: { enabled: true, page: true, envVersion: true, checkPath: true, ttlSeconds: true, ratelimit: true },
  strictConfig: true,
} as const satisfies Record<keyof PluginConfig, KeyShape>;

/** Where an unknown key stops startup even without strictConfig (these groups have always refused them). */
const ALWAYS_STRICT = ['apps[]', 'profile', 'encryption', 'activity', 'qrLogin', 'oauth'];

/**
 * Every key of `config` the plugin does not know. The validator refuses them all with
 * `strictConfig: true` (those in ALWAYS_STRICT in any case); register() warns about the others.
 */
export const unknownConfigKeys = (config: Record<string, unknown>): UnknownKey[] => findUnknownKeys(config, CONFIG_KEYS);

const fail = (message: string): never => {
  throw new Error(message);
};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function validateBudget(budget: Record<string, unknown>, where: string) {
  const { interval } = budget;
  if (typeof interval === 'number') {
    if (!(interval > 0)) fail(`${where}.interval must be a positive number of milliseconds`);
  } else if (isObject(interval)) {
    for (const [unit, amount] of Object.entries(interval)) {
      if (!INTERVAL_UNITS.includes(unit)) fail(`${where}.interval: unknown unit "${unit}" (use ${INTERVAL_UNITS.join(', ')})`);
      if (typeof amount !== 'number' || !(amount > 0)) fail(`${where}.interval.${unit} must be a positive number`);
    }
  } else {
    fail(`${where}.interval must be milliseconds or an object like { min: 1 }`);
  }
  if (!Number.isInteger(budget.max) || (budget.max as number) < 1) fail(`${where}.max must be a positive integer`);
}

function validateRedisStore(store: Record<string, unknown>) {
  const known = ['type', 'url', 'prefix', 'timeout'];
  const unknown = Object.keys(store).filter((key) => !known.includes(key));
  if (unknown.length) fail(`ratelimit.store.${unknown[0]} is not a store setting (use ${known.join(', ')})`);
  let url: URL | null = null;
  try {
    url = new URL(String(store.url));
  } catch {
    // The value is not echoed: it may hold a password.
    fail('ratelimit.store.url must be a redis:// or rediss:// URL');
  }
  if (url && !['redis:', 'rediss:'].includes(url.protocol)) fail('ratelimit.store.url must be a redis:// or rediss:// URL');
  if (store.prefix !== undefined && (typeof store.prefix !== 'string' || store.prefix.length > 100)) {
    fail('ratelimit.store.prefix must be a string of at most 100 characters');
  }
  const { timeout } = store;
  if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 10 || (timeout as number) > 5000)) {
    fail('ratelimit.store.timeout must be an integer number of milliseconds between 10 and 5000');
  }
}

function validateRateLimit(ratelimit: unknown) {
  // Unknown keys here are warned about (refused with strictConfig), like the top level's: unknownConfigKeys.
  if (!isObject(ratelimit)) return fail('ratelimit must be an object like { enabled, interval, max }');
  if (typeof ratelimit.enabled !== 'boolean') fail('ratelimit.enabled must be true or false');
  validateBudget(ratelimit, 'ratelimit');
  const { trustedProxies, perUser, store } = ratelimit;
  if (trustedProxies !== undefined && (!Number.isInteger(trustedProxies) || (trustedProxies as number) < 0 || (trustedProxies as number) > 10)) {
    fail('ratelimit.trustedProxies must be the number of proxies in front of Strapi, an integer between 0 and 10');
  }
  if (!isObject(perUser)) return fail('ratelimit.perUser must be an object like { phone, profile, decrypt }');
  for (const [family, budget] of Object.entries(perUser)) {
    if (!PER_USER_FAMILIES.includes(family)) fail(`ratelimit.perUser.${family} is not a limited route family (use ${PER_USER_FAMILIES.join(', ')})`);
    if (budget === false) continue;
    if (!isObject(budget)) fail(`ratelimit.perUser.${family} must be false or an object like { interval, max }`);
    else validateBudget(budget, `ratelimit.perUser.${family}`);
  }
  if (!isObject(store)) return fail("ratelimit.store must be an object like { type: 'memory' } or { type: 'redis', url }");
  if (store.type === 'redis') validateRedisStore(store);
  else if (store.type !== 'memory') fail("ratelimit.store.type must be 'memory' or 'redis'");
}

function validateCredentialFields(entry: Record<string, unknown>, where: string) {
  for (const key of ['appId', 'appSecret'] as const) {
    const value = entry[key];
    if (value !== undefined && value !== null && value !== '' && typeof value !== 'string') fail(`${where}${key} must be a string`);
  }
  if (typeof entry.appId === 'string' && entry.appId && !APP_ID_PATTERN.test(entry.appId)) {
    fail(`${where}appId must look like wx followed by 16 hexadecimal characters`);
  }
  // The value is never echoed: it may be a real secret with a typo.
  if (typeof entry.appSecret === 'string' && entry.appSecret && !APP_SECRET_PATTERN.test(entry.appSecret)) {
    fail(`${where}appSecret must be 32 hexadecimal characters`);
  }
}

function validateApps(config: Record<string, unknown>) {
  if (!Array.isArray(config.apps)) return fail('apps must be a list like [{ appId, appSecret?, name? }]');
  const seen = new Set<string>();
  config.apps.forEach((entry: unknown, index) => {
    const where = `apps[${index}].`;
    if (!isObject(entry)) return fail(`apps[${index}] must be an object like { appId, appSecret?, name? }`);
    if (typeof entry.appId !== 'string' || !entry.appId) fail(`${where}appId is required`);
    validateCredentialFields(entry, where);
    if (entry.name !== undefined && (typeof entry.name !== 'string' || entry.name.length > 64)) {
      fail(`${where}name must be a string of at most 64 characters`);
    }
    const hidden = typeof entry.name === 'string' ? hiddenCharacterIn(entry.name) : null;
    if (hidden) fail(`${where}${hiddenCharacterMessage('name', hidden)}`);
    if (entry.type !== undefined && !(APP_TYPES as readonly unknown[]).includes(entry.type)) fail(`${where}type must be one of ${APP_TYPES.join(', ')}`);
    if (entry.scope !== undefined) {
      if (entry.type !== 'officialAccount') fail(`${where}scope is for officialAccount apps only`);
      if (!OFFICIAL_ACCOUNT_SCOPES.includes(entry.scope as string)) fail(`${where}scope must be snsapi_base or snsapi_userinfo`);
    }
    if (entry.redirectAllowList !== undefined) {
      if (!BROWSER_APP_TYPES.includes(entry.type as string)) fail(`${where}redirectAllowList is for officialAccount and website apps only`);
      validateRedirectAllowList(entry.redirectAllowList, `${where}redirectAllowList`);
    }
    const appId = String(entry.appId).toLowerCase();
    if (seen.has(appId)) fail(`apps lists ${String(entry.appId)} twice`);
    seen.add(appId);
  });
}

/** Runs at startup: a bad value stops Strapi with `Error regarding strapi-wechat-miniprogram-auth config: ...`. */
export function validator(config: Partial<PluginConfig> & Record<string, unknown>): void {
  if (typeof config.strictConfig !== 'boolean') fail('strictConfig must be true or false');
  const unknown = unknownConfigKeys(config);
  const refused = config.strictConfig ? unknown : unknown.filter((key) => ALWAYS_STRICT.includes(key.parent));
  if (refused.length) fail(refused.map(unknownKeyMessage).join('; '));
  validateCredentialFields(config, '');
  validateApps(config);
  const { defaultAppId } = config;
  if (defaultAppId !== undefined && defaultAppId !== null && defaultAppId !== '') {
    if (typeof defaultAppId !== 'string' || !APP_ID_PATTERN.test(defaultAppId)) {
      fail('defaultAppId must look like wx followed by 16 hexadecimal characters');
    }
    const listed = (config.apps as unknown[]).find((app) => isObject(app) && String(app.appId).toLowerCase() === defaultAppId.toLowerCase());
    if (isObject(listed) && listed.type !== undefined && listed.type !== 'miniProgram')
      fail('defaultAppId must be a miniProgram app (a login without appId is a mini program login)');
  }
  if (typeof config.linkByUnionid !== 'boolean') fail('linkByUnionid must be true or false');
  const ttl = config.credentialsCacheTtl;
  if (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > 600000) {
    fail('credentialsCacheTtl must be an integer number of milliseconds between 0 and 600000');
  }
  let url: URL | null = null;
  try {
    url = new URL(String(config.apiBaseUrl));
  } catch {
    fail(`apiBaseUrl must be an absolute http(s) URL`);
  }
  if (url && !['http:', 'https:'].includes(url.protocol)) fail('apiBaseUrl must be an http(s) URL');
  if (!Number.isInteger(config.timeout) || (config.timeout as number) < 100 || (config.timeout as number) > 60000) {
    fail('timeout must be an integer number of milliseconds between 100 and 60000');
  }
  validateRateLimit(config.ratelimit);
  validateOAuth(config.oauth);
  validateProfile(config.profile);
  validateEncryption(config.encryption);
  validateActivity(config.activity);
  validateQrLogin(config.qrLogin);
}

function validateQrLogin(qrLogin: unknown) {
  if (!isObject(qrLogin)) return fail('qrLogin must be an object like { enabled, page, envVersion, checkPath, ttlSeconds, ratelimit }');
  const { enabled, page, envVersion, checkPath, ttlSeconds, ratelimit } = qrLogin;
  if (typeof enabled !== 'boolean') fail('qrLogin.enabled must be true or false');
  if (page !== undefined && page !== null && (typeof page !== 'string' || page.length > 256 || !PAGE_PATTERN.test(page))) {
    fail('qrLogin.page must be a page path of the mini program without a leading / or a query, e.g. pages/qr-login/index');
  }
  if (!['release', 'trial', 'develop'].includes(envVersion as string)) fail("qrLogin.envVersion must be 'release', 'trial' or 'develop'");
  if (typeof checkPath !== 'boolean') fail('qrLogin.checkPath must be true or false');
  if (!Number.isInteger(ttlSeconds) || (ttlSeconds as number) < 30 || (ttlSeconds as number) > 600) {
    fail('qrLogin.ttlSeconds must be an integer number of seconds between 30 and 600');
  }
  if (ratelimit === false) return;
  if (!isObject(ratelimit)) return fail('qrLogin.ratelimit must be false or an object like { interval, max }');
  validateBudget(ratelimit, 'qrLogin.ratelimit');
}

/** Absolute http(s) URLs without credentials or fragment: what a browser login may return to (docs/web-logins.md). */
function validateRedirectAllowList(list: unknown, where: string) {
  if (!Array.isArray(list)) return fail(`${where} must be a list of absolute URLs`);
  list.forEach((entry: unknown, index) => {
    let url: URL | null = null;
    try {
      url = new URL(String(entry));
    } catch {
      fail(`${where}[${index}] must be an absolute http(s) URL`);
    }
    if (typeof entry !== 'string' || !url || !['http:', 'https:'].includes(url.protocol)) fail(`${where}[${index}] must be an absolute http(s) URL`);
    if (url && (url.username || url.password || url.hash || url.search)) fail(`${where}[${index}] must have no credentials, query or fragment`);
  });
}

function validateOAuth(oauth: unknown) {
  if (!isObject(oauth)) return fail('oauth must be an object like { redirectAllowList, stateTtl, loginCodeTtl }');
  validateRedirectAllowList(oauth.redirectAllowList, 'oauth.redirectAllowList');
  const { stateTtl, loginCodeTtl } = oauth;
  if (!Number.isInteger(stateTtl) || (stateTtl as number) < 10_000 || (stateTtl as number) > 3_600_000) {
    fail('oauth.stateTtl must be an integer number of milliseconds between 10000 and 3600000');
  }
  if (!Number.isInteger(loginCodeTtl) || (loginCodeTtl as number) < 5_000 || (loginCodeTtl as number) > 600_000) {
    fail('oauth.loginCodeTtl must be an integer number of milliseconds between 5000 and 600000');
  }
  for (const key of ['authorizeBaseUrl', 'callbackBaseUrl'] as const) {
    const value = oauth[key];
    if (key === 'callbackBaseUrl' && (value === undefined || value === null || value === '')) continue;
    let url: URL | null = null;
    try {
      url = new URL(String(value));
    } catch {
      fail(`oauth.${key} must be an absolute http(s) URL`);
    }
    if (url && !['http:', 'https:'].includes(url.protocol)) fail(`oauth.${key} must be an http(s) URL`);
  }
}

function validateProfile(profile: unknown) {
  if (!isObject(profile)) return fail('profile must be an object like { avatarMaxBytes, nicknameMaxLength, contentSecurity }');
  const { avatarMaxBytes, nicknameMaxLength, contentSecurity } = profile;
  if (!Number.isInteger(avatarMaxBytes) || (avatarMaxBytes as number) < 1024 || (avatarMaxBytes as number) > 50 * 1024 * 1024) {
    fail('profile.avatarMaxBytes must be an integer number of bytes between 1024 and 52428800');
  }
  if (!Number.isInteger(nicknameMaxLength) || (nicknameMaxLength as number) < 1 || (nicknameMaxLength as number) > 255) {
    fail('profile.nicknameMaxLength must be an integer between 1 and 255');
  }
  if (typeof contentSecurity !== 'boolean') fail('profile.contentSecurity must be true or false');
}

function validateEncryption(encryption: unknown) {
  if (!isObject(encryption)) return fail('encryption must be an object like { key, previousKeys, onMissingKey }');
  const { key, previousKeys, onMissingKey } = encryption;
  // Key values are never echoed.
  if (key !== undefined && key !== null && key !== '' && !isEncryptionKey(key)) fail(ENCRYPTION_KEY_FORMAT('encryption.key'));
  if (!Array.isArray(previousKeys)) return fail('encryption.previousKeys must be a list of keys');
  previousKeys.forEach((previous: unknown, index) => {
    if (!isEncryptionKey(previous)) fail(ENCRYPTION_KEY_FORMAT(`encryption.previousKeys[${index}]`));
  });
  if (onMissingKey !== 'warn' && onMissingKey !== 'error') fail("encryption.onMissingKey must be 'warn' or 'error'");
}

export default { default: defaults, validator };

function validateActivity(activity: unknown) {
  if (!isObject(activity)) return fail('activity must be an object like { enabled, flushIntervalMs, timezone }');
  const { enabled, flushIntervalMs, timezone } = activity;
  if (typeof enabled !== 'boolean') fail('activity.enabled must be true or false');
  if (!Number.isInteger(flushIntervalMs) || (flushIntervalMs as number) < 100 || (flushIntervalMs as number) > 600000) {
    fail('activity.flushIntervalMs must be an integer number of milliseconds between 100 and 600000');
  }
  if (!isTimeZone(timezone)) fail("activity.timezone must be an IANA time zone such as 'Asia/Shanghai' or 'UTC'");
}
