/**
 * A minimal PNG encoder (8-bit RGB or RGBA, no interlace, filter 0) and the stand-in mini program code image.
 *
 * The image is not a scannable code: a 25 × 25 module grid (three finder squares, the rest bits of a hash of scene
 * and page), 2 pixels a module, so 50 × 50 pixels. What it stands for is in tEXt chunks: `scene`, `page`,
 * `env_version`, `width` (readPngText reads them back).
 */
import { createHash } from 'crypto';
import { deflateSync } from 'zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG uses it). */
export function crc32(data: Buffer): number {
  let c = -1;
  for (let i = 0; i < data.length; i += 1) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** `text` with every character outside printable Latin-1 percent-encoded (as UTF-8). */
function latin1(text: string): string {
  return text.replace(/[^\x20-\xff]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

export interface PngImage {
  width: number;
  height: number;
  /** width × height pixels, 4 bytes each (RGBA), row by row. */
  rgba: Buffer;
  /** Keep the alpha channel (colour type 6); otherwise RGB (colour type 2). */
  alpha: boolean;
  /** tEXt chunks (Latin-1; other characters are percent-encoded). */
  text?: Record<string, string>;
}

export function encodePng(image: PngImage): Buffer {
  const { width, height, rgba, alpha } = image;
  const channels = alpha ? 4 : 3;
  const stride = width * channels + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * stride] = 0; // filter type: none
    for (let x = 0; x < width; x += 1) {
      rgba.copy(raw, y * stride + 1 + x * channels, (y * width + x) * 4, (y * width + x) * 4 + channels);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = alpha ? 6 : 2; // colour type
  // compression, filter and interlace methods: 0
  const texts = Object.entries(image.text ?? {}).map(([key, value]) =>
    chunk('tEXt', Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0]), Buffer.from(latin1(value), 'latin1')]))
  );
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), ...texts, chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The tEXt chunks of a PNG, or null when the bytes are not a PNG. */
export function readPngText(png: Buffer): Record<string, string> | null {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  const text: Record<string, string> = {};
  for (let at = 8; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'tEXt') {
      const data = png.subarray(at + 8, at + 8 + length);
      const nul = data.indexOf(0);
      text[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    }
    at += 12 + length;
  }
  return text;
}

const MODULES = 25;
const SCALE = 2;

function isFinder(x: number, y: number): boolean | null {
  for (const [fx, fy] of [
    [1, 1],
    [MODULES - 8, 1],
    [1, MODULES - 8],
  ]) {
    const dx = x - fx;
    const dy = y - fy;
    if (dx >= 0 && dx < 7 && dy >= 0 && dy < 7) {
      const ring = Math.min(dx, dy, 6 - dx, 6 - dy);
      return ring !== 1;
    }
  }
  return null;
}

export interface WxaCodeImage {
  scene: string;
  page?: string;
  envVersion: string;
  width: number;
  lineColor: { r: number; g: number; b: number };
  isHyaline: boolean;
}

/** The stand-in image getwxacodeunlimit answers. */
export function renderWxaCode(code: WxaCodeImage): Buffer {
  const bits = createHash('sha512')
    .update(`${code.scene}\n${code.page ?? ''}`)
    .digest();
  const size = MODULES * SCALE;
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < MODULES; y += 1) {
    for (let x = 0; x < MODULES; x += 1) {
      const quiet = x === 0 || y === 0 || x === MODULES - 1 || y === MODULES - 1;
      const bit = (y - 1) * (MODULES - 2) + (x - 1);
      const dark = !quiet && (isFinder(x, y) ?? ((bits[(bit >> 3) % bits.length] >> (bit & 7)) & 1) === 1);
      const pixel = dark ? [code.lineColor.r, code.lineColor.g, code.lineColor.b, 255] : [255, 255, 255, code.isHyaline ? 0 : 255];
      for (let py = 0; py < SCALE; py += 1) {
        for (let px = 0; px < SCALE; px += 1) {
          rgba.set(pixel, ((y * SCALE + py) * size + x * SCALE + px) * 4);
        }
      }
    }
  }
  return encodePng({
    width: size,
    height: size,
    rgba,
    alpha: code.isHyaline,
    text: {
      Software: 'strapi-wechat-miniprogram-auth simulator',
      scene: code.scene,
      page: code.page ?? '',
      env_version: code.envVersion,
      width: String(code.width),
    },
  });
}
