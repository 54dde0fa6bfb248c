import { hkdfSync } from 'crypto';
import { ENCRYPTION_KEY_FORMAT, parseEncryptionKey } from './secret-box';

/**
 * Which keys seal and open the secrets at rest. Strapi-free.
 *
 * An explicit `encryption.key` wins. Without one, the key is derived from a secret every Strapi
 * app already has: Strapi 5's `admin.secrets.encryptionKey` (ENCRYPTION_KEY) where set, else the
 * app's keys (`server.app.keys`, APP_KEYS), so a plain install seals from its first start. Every
 * one of the app's keys is also a reading key: APP_KEYS rotated the Koa way (a new key in front)
 * keeps what the old first key sealed readable (and the startup reseals it), and a switch to an
 * explicit key needs no `previousKeys` entry for what the derived key sealed.
 */
export type KeySource = 'encryption.key' | 'ENCRYPTION_KEY' | 'APP_KEYS' | 'none';

export interface Keyring {
  /** The key that seals; null: nothing to seal with (no key, no app secrets). */
  current: Buffer | null;
  /** Keys that only open (previous keys, the app's other secrets). */
  previous: Buffer[];
  source: KeySource;
}

export interface KeyringInput {
  /** `encryption.key` (32 bytes as hex or base64). */
  key?: string | null;
  /** `encryption.previousKeys`. */
  previousKeys?: string[];
  /** Strapi 5's `admin.secrets.encryptionKey`. */
  strapiEncryptionKey?: unknown;
  /** `server.app.keys`, the first one current. */
  appKeys?: unknown;
}

/** The label that makes the derived key this plugin's own: no other use of the same app secret yields it. */
export const DERIVED_KEY_INFO = 'strapi-wechat-miniprogram-auth/secrets-at-rest/v1';

/** A 32-byte key from one of the app's secrets (HKDF-SHA256, no salt, the plugin's label). */
export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), DERIVED_KEY_INFO, 32));
}

const texts = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');

function parsed(text: string, where: string): Buffer {
  const bytes = parseEncryptionKey(text);
  if (!bytes) throw new Error(ENCRYPTION_KEY_FORMAT(where));
  return bytes;
}

export function resolveKeyring({ key, previousKeys = [], strapiEncryptionKey, appKeys }: KeyringInput): Keyring {
  const previous = previousKeys.map((text, index) => parsed(text, `encryption.previousKeys[${index}]`));
  const strapiKey = texts(strapiEncryptionKey).slice(0, 1);
  const appSecrets = [...new Set([...strapiKey, ...texts(appKeys)])].map(deriveKey);
  if (key) return { current: parsed(key, 'encryption.key'), previous: [...previous, ...appSecrets], source: 'encryption.key' };
  const [derived, ...others] = appSecrets;
  if (!derived) return { current: null, previous, source: 'none' };
  return { current: derived, previous: [...previous, ...others], source: strapiKey.length ? 'ENCRYPTION_KEY' : 'APP_KEYS' };
}
