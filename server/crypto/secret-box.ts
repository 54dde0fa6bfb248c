import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'crypto';

/**
 * AES-256-GCM for the secrets the plugin keeps in the database (AppSecrets, access tokens,
 * session keys), so a database dump alone reveals none of them. Strapi-free.
 *
 * A sealed value is text: `wxenc:v1:<key id>:<iv>:<ciphertext + tag>` (base64url). The key id
 * (8 hex characters of a hash of the key, never the key) says which key sealed it, so values
 * sealed before a rotation are still read with the previous key and resealed with the current one.
 */
export const SEALED_PREFIX = 'wxenc:v1:';
const PREFIX = SEALED_PREFIX;
const SEALED = /^wxenc:v1:([0-9a-f]{8}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22,})$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const ENCRYPTION_KEY_FORMAT = (where: string) =>
  `${where} must be 32 random bytes as 64 hexadecimal characters or base64 (for example: openssl rand -base64 32)`;

/** Raised when a sealed value cannot be opened: sealed under a key that is not configured, or altered. */
export class SecretUnreadableError extends Error {
  constructor(readonly reason: 'unknown-key' | 'no-key' | 'tampered') {
    super(
      reason === 'tampered'
        ? 'A stored secret failed its integrity check (altered, or sealed under another key with the same id)'
        : reason === 'no-key'
          ? 'A stored secret is encrypted but there is no key to open it (no encryption.key and no app keys)'
          : 'A stored secret is encrypted with a key that is not configured (not encryption.key, not in encryption.previousKeys, not derived from the app keys)'
    );
    this.name = 'SecretUnreadableError';
  }
}

/** The 32 key bytes from 64 hex characters or base64, or null when the text is neither. */
export function parseEncryptionKey(text: unknown): Buffer | null {
  if (typeof text !== 'string') return null;
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

export const isEncryptionKey = (text: unknown): boolean => parseEncryptionKey(text) !== null;

/** A key's id: 8 hex characters of a hash of the key, never the key. */
export const keyIdOf = (key: Buffer): string => createHash('sha256').update('strapi-wechat-miniprogram-auth:key-id:').update(key).digest('hex').slice(0, 8);

export interface SecretBox {
  /** There is a key to seal with: seal() encrypts. Without one, values are kept as given. */
  readonly enabled: boolean;
  /** The current key's id (null without a key). */
  readonly keyId: string | null;
  /** Encrypts with the current key (returns the value unchanged without a key). */
  seal(plain: string): string;
  /** The plaintext of a sealed value; a value that is not sealed (written before encryption) is returned as is. */
  open(stored: string): string;
  isSealed(stored: string): boolean;
  /** True for a value that should be rewritten: plaintext while there is a key, or sealed under another key. */
  needsReseal(stored: string): boolean;
}

export interface SecretBoxKeys {
  /** The key that seals (and opens). */
  current: Buffer | null;
  /** Keys that only open. */
  previous?: Buffer[];
}

export function createSecretBox({ current, previous = [] }: SecretBoxKeys): SecretBox {
  const keys = new Map<string, Buffer>();
  for (const bytes of previous) keys.set(keyIdOf(bytes), bytes);
  const currentId = current ? keyIdOf(current) : null;
  if (current && currentId) keys.set(currentId, current);

  const isSealed = (stored: string) => stored.startsWith(PREFIX);

  return {
    enabled: current !== null,
    keyId: currentId,
    isSealed,
    seal(plain) {
      if (!current || !currentId) return plain;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${currentId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
    },
    open(stored) {
      if (!isSealed(stored)) return stored;
      const match = SEALED.exec(stored);
      if (!match) throw new SecretUnreadableError('tampered');
      const [, id, ivText, bodyText] = match;
      const bytes = keys.get(id);
      if (!bytes) throw new SecretUnreadableError(keys.size ? 'unknown-key' : 'no-key');
      const body = Buffer.from(bodyText, 'base64url');
      if (body.length < TAG_BYTES) throw new SecretUnreadableError('tampered');
      try {
        const decipher = createDecipheriv('aes-256-gcm', bytes, Buffer.from(ivText, 'base64url'));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadableError('tampered');
      }
    },
    needsReseal(stored) {
      if (!currentId) return false;
      return !isSealed(stored) || !stored.startsWith(`${PREFIX}${currentId}:`);
    },
  };
}
