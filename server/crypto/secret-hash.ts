import { createHash, timingSafeEqual } from 'crypto';

/** How the plugin stores a single-use secret or token it hands out (QR login tickets, browser login grants): SHA-256, hex. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Whether `secret` is the one whose hash is `hash`, compared in constant time. */
export function matchesHash(secret: string, hash: string | null): boolean {
  if (!hash) return false;
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
