import type { PluginConfig } from '../types';

export const DEFAULT_API_BASE_URL = 'https://api.weixin.qq.com';

// A function, so every load gets a fresh object (Strapi merges the user's config into it).
const defaults = (): PluginConfig => ({
  apiBaseUrl: DEFAULT_API_BASE_URL,
  timeout: 5000,
  // Per client IP. Generous, because a whole carrier NAT (many phones) can share one address;
  // it is there to stop one abusive client, not busy networks.
  ratelimit: { enabled: true, interval: { min: 1 }, max: 600 },
});

const fail = (message: string): never => {
  throw new Error(message);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function validateIntervalObject(interval: Record<string, unknown>) {
  const units = ['ms', 'sec', 'min', 'hour', 'day'];
  for (const [unit, amount] of Object.entries(interval)) {
    if (!units.includes(unit)) fail(`ratelimit.interval: unknown unit "${unit}" (use ${units.join(', ')})`);
    if (typeof amount !== 'number' || !(amount > 0)) fail(`ratelimit.interval.${unit} must be a positive number`);
  }
}

/** Runs at startup: a bad value stops Strapi with `Error regarding strapi-wechat-miniprogram-auth config: ...`. */
export function validator(config: Partial<PluginConfig> & Record<string, unknown>): void {
  for (const key of ['appId', 'appSecret'] as const) {
    const value = config[key];
    if (value !== undefined && value !== null && value !== '' && typeof value !== 'string') fail(`${key} must be a string`);
  }
  if (typeof config.appId === 'string' && config.appId && !/^wx[0-9a-f]{16}$/i.test(config.appId)) {
    fail('appId must look like wx followed by 16 hexadecimal characters');
  }
  if (typeof config.appSecret === 'string' && config.appSecret && !/^[0-9a-f]{32}$/i.test(config.appSecret)) {
    fail('appSecret must be 32 hexadecimal characters');
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
  const ratelimit = config.ratelimit;
  if (!isObject(ratelimit)) return fail('ratelimit must be an object like { enabled, interval, max }');
  if (typeof ratelimit.enabled !== 'boolean') fail('ratelimit.enabled must be true or false');
  if (typeof ratelimit.interval === 'number') {
    if (!(ratelimit.interval > 0)) fail('ratelimit.interval must be a positive number of milliseconds');
  } else if (isObject(ratelimit.interval)) {
    validateIntervalObject(ratelimit.interval);
  } else {
    fail('ratelimit.interval must be milliseconds or an object like { min: 1 }');
  }
  if (!Number.isInteger(ratelimit.max) || (ratelimit.max as number) < 1) fail('ratelimit.max must be a positive integer');
}

export default { default: defaults, validator };
