/** The image formats an avatar may be in, recognised by their first bytes (never by name or declared type). */
export type AvatarFormat = 'jpeg' | 'png' | 'gif' | 'webp';

export const AVATAR_FORMATS: Record<AvatarFormat, { mime: string; ext: string }> = {
  jpeg: { mime: 'image/jpeg', ext: '.jpg' },
  png: { mime: 'image/png', ext: '.png' },
  gif: { mime: 'image/gif', ext: '.gif' },
  webp: { mime: 'image/webp', ext: '.webp' },
};

/** How many leading bytes sniffImageFormat needs. */
export const SNIFF_BYTES = 12;

const startsWith = (head: Buffer, bytes: number[], at = 0) => bytes.every((byte, i) => head[at + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The format the file's signature announces, or null. SVG, HTML and anything else text-based has no
 * signature here on purpose: served back from the Media Library, they could carry script.
 */
export function sniffImageFormat(head: Buffer): AvatarFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  return null;
}
