/**
 * Unknown keys in the plugin's config (Strapi-free): which keys are unknown, at which level, and the
 * known key suggested for each; the validator's answer with and without strictConfig.
 */
import configModule, { CONFIG_KEYS, validator } from '../server/config';
import { editDistance, findUnknownKeys, knownPaths, nearestKnownPath, unknownKeyMessage } from '../server/config/unknown-keys';

const KNOWN = knownPaths(CONFIG_KEYS);
/** The config Strapi would validate: the defaults with `user` merged over them (lodash defaultsDeep, as Strapi does). */
const merged = (user: Record<string, unknown>): Record<string, unknown> => {
  const defaults = configModule.default() as unknown as Record<string, unknown>;
  const merge = (over: Record<string, unknown>, base: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
      const below = base[key];
      const bothObjects = [value, below].every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
      out[key] = bothObjects ? merge(value as Record<string, unknown>, below as Record<string, unknown>) : value;
    }
    return out;
  };
  return merge(user, defaults);
};
const validationError = (user: Record<string, unknown>): string | null => {
  try {
    validator(merged(user));
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['key', 'key', 0],
    ['key', 'keys', 1],
    ['timeout', 'timeuot', 2],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%j → %j: %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('knownPaths', () => {
  test('every key, nested ones with their full path, list entries as []', () => {
    expect(KNOWN).toEqual(
      expect.arrayContaining(['apps', 'apps[].appSecret', 'ratelimit.interval', 'profile.contentSecurity', 'encryption.previousKeys', 'strictConfig'])
    );
    expect(KNOWN).not.toContain('ratelimit.interval.min');
  });
});

describe('nearestKnownPath', () => {
  test.each([
    // A key at the wrong level: its name is a known key's name.
    ['contentSecurity', 'profile.contentSecurity'],
    ['onMissingKey', 'encryption.onMissingKey'],
    ['max', 'ratelimit.max'],
    // Typos and case.
    ['rateLimit', 'ratelimit'],
    ['timeOut', 'timeout'],
    ['apiBaseURL', 'apiBaseUrl'],
    ['profile.contentSecurty', 'profile.contentSecurity'],
    ['profile.avatarMaxByte', 'profile.avatarMaxBytes'],
    ['encryption.keys', 'encryption.key'],
    ['ratelimit.enable', 'ratelimit.enabled'],
    // In a list entry: the entry's own index.
    ['apps[2].appSecrets', 'apps[2].appSecret'],
    ['apps[0].secret', 'apps[0].appSecret'],
    // The same name at two levels: the one beside it wins.
    ['appSecrett', 'appSecret'],
    // A dotted key written as one: the full path matches.
    ['profile.contentsecurity', 'profile.contentSecurity'],
  ])('%s → %s', (path, suggestion) => {
    expect(nearestKnownPath(path, KNOWN)).toBe(suggestion);
  });

  test.each(['foo', 'x', 'password', 'database', 'profile.theme', 'apps[0].url'])('%s: nothing close, no suggestion', (path) => {
    expect(nearestKnownPath(path, KNOWN)).toBeNull();
  });
});

describe('findUnknownKeys', () => {
  test('every level the known objects and lists describe; the contents of an unknown key are not looked into', () => {
    const config = {
      appId: 'wx0123456789abcdef',
      contentSecurity: true,
      rateLimit: { max: 3, whatever: 1 },
      ratelimit: { enabled: true, interval: { min: 1 }, max: 5, maxx: 6 },
      profile: { contentSecurty: true },
      encryption: { keys: ['k'] },
      apps: [{ appId: 'wx0123456789abcdef' }, { appId: 'wx00000000000000b7', secret: 's' }],
    };
    expect(findUnknownKeys(config, CONFIG_KEYS)).toEqual([
      { path: 'contentSecurity', parent: '', suggestion: 'profile.contentSecurity' },
      { path: 'rateLimit', parent: '', suggestion: 'ratelimit' },
      { path: 'ratelimit.maxx', parent: 'ratelimit', suggestion: 'ratelimit.max' },
      { path: 'profile.contentSecurty', parent: 'profile', suggestion: 'profile.contentSecurity' },
      { path: 'encryption.keys', parent: 'encryption', suggestion: 'encryption.key' },
      { path: 'apps[1].secret', parent: 'apps[]', suggestion: 'apps[1].appSecret' },
    ]);
  });

  test('the defaults have no unknown key; neither has a complete config', () => {
    expect(findUnknownKeys(merged({}), CONFIG_KEYS)).toEqual([]);
    const complete = merged({
      appId: 'wx0123456789abcdef',
      appSecret: '0123456789abcdef0123456789abcdef',
      apps: [{ appId: 'wx00000000000000b7', appSecret: 'b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7', name: 'B' }],
      defaultAppId: 'wx0123456789abcdef',
      strictConfig: true,
    });
    expect(findUnknownKeys(complete, CONFIG_KEYS)).toEqual([]);
  });

  test("keys named like Object's own properties are unknown keys too", () => {
    const config = JSON.parse('{"constructor": 1, "__proto__": {"x": 1}, "profile": {"toString": 2}}') as Record<string, unknown>;
    expect(findUnknownKeys(config, CONFIG_KEYS).map((k) => k.path)).toEqual(['constructor', '__proto__', 'profile.toString']);
  });
});

describe('unknownKeyMessage', () => {
  test('names the path and the suggestion, never a value', () => {
    const secret = 'f'.repeat(32);
    const [key] = findUnknownKeys({ appSecrett: secret }, CONFIG_KEYS);
    expect(unknownKeyMessage(key)).toBe("unknown key 'appSecrett' in the plugin's config (did you mean 'appSecret'?)");
    const [far] = findUnknownKeys({ somethingElse: secret }, CONFIG_KEYS);
    expect(unknownKeyMessage(far)).toBe("unknown key 'somethingElse' in the plugin's config");
  });
});

describe('validator', () => {
  test('an unknown top-level or ratelimit key passes (register() warns); with strictConfig: true it is refused, every one named', () => {
    expect(validationError({ contentSecurity: true, ratelimit: { maxx: 1 } })).toBeNull();
    expect(validationError({ strictConfig: true, contentSecurity: true, ratelimit: { maxx: 1 } })).toBe(
      "unknown key 'ratelimit.maxx' in the plugin's config (did you mean 'ratelimit.max'?); " +
        "unknown key 'contentSecurity' in the plugin's config (did you mean 'profile.contentSecurity'?)"
    );
  });

  test.each([
    [{ profile: { avatarSize: 1 } }, "unknown key 'profile.avatarSize' in the plugin's config (did you mean 'profile.avatarMaxBytes'?)"],
    [{ profile: { theme: 'dark' } }, "unknown key 'profile.theme' in the plugin's config"],
    [{ encryption: { keys: [] } }, "unknown key 'encryption.keys' in the plugin's config (did you mean 'encryption.key'?)"],
    [{ apps: [{ appId: 'wx0123456789abcdef', secret: 'x' }] }, "unknown key 'apps[0].secret' in the plugin's config (did you mean 'apps[0].appSecret'?)"],
  ])('in an app entry, profile or encryption an unknown key is refused without strictConfig too: %j', (config, message) => {
    expect(validationError(config)).toBe(message);
  });

  test('strictConfig must be a boolean', () => {
    expect(validationError({ strictConfig: 'yes' })).toBe('strictConfig must be true or false');
  });
});
