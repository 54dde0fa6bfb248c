/**
 * The app's own secrets, from which the plugin derives its key when `encryption.key` is not set:
 * config files for a test app (tests/helpers/test-app.ts) with other app keys (`server.app.keys`,
 * APP_KEYS), or with none at all (then without Strapi's session middleware, which needs them).
 */
import { hkdfSync } from 'crypto';
import { createSecretBox, keyIdOf } from '../../server/crypto/secret-box';
import { resolveKeyring } from '../../server/crypto/keyring';

/** The app keys every test app has unless a test gives others (tests/helpers/test-app.ts). */
export const TEST_APP_KEYS = ['testKeyA', 'testKeyB'];

const MIDDLEWARES_WITHOUT_SESSION = `module.exports = ['strapi::logger', 'strapi::errors', 'strapi::security', 'strapi::cors', 'strapi::poweredBy', 'strapi::query', 'strapi::body', 'strapi::favicon', 'strapi::public'];\n`;

/** Files that give the test app `keys` as its APP_KEYS; null: an app with no app keys at all. */
export function appKeysFiles(keys: string[] | null): Record<string, string> {
  if (!keys) {
    return {
      'config/server.js': `module.exports = () => ({ host: '127.0.0.1', port: 0 });\n`,
      'config/middlewares.js': MIDDLEWARES_WITHOUT_SESSION,
    };
  }
  return { 'config/server.js': `module.exports = () => ({ host: '127.0.0.1', port: 0, app: { keys: ${JSON.stringify(keys)} } });\n` };
}

/**
 * The id (as written in front of each sealed value) of the key derived from one app secret, the
 * key derived as docs/secrets-at-rest.md says: HKDF-SHA256, no salt, the plugin's label.
 */
export const derivedKeyId = (secret: string): string =>
  keyIdOf(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'strapi-wechat-miniprogram-auth/secrets-at-rest/v1', 32)));

/**
 * A secret as a test app with the default app keys stored it (a column read straight from its
 * database): it must be sealed, and opens under the key derived from TEST_APP_KEYS.
 */
export function openSealed(stored: string, appKeys: string[] = TEST_APP_KEYS): string {
  expect(stored).toMatch(/^wxenc:v1:/);
  return createSecretBox(resolveKeyring({ appKeys })).open(stored);
}
