import { open } from 'fs/promises';
import { errors } from '@strapi/utils';
import { mediaLibrary, uploadPluginSharp, type LocalFile, type MediaFile } from '../strapi';
import type { Strapi } from '../types';
import { AVATAR_FORMATS, sniffImageFormat, SNIFF_BYTES, type AvatarFormat } from '../utils/image-type';

/** Larger images are refused before they are decoded (a small compressed file can hold a huge image). */
export const AVATAR_MAX_PIXELS = 4096 * 4096;

export interface AvatarImage {
  format: AvatarFormat;
  mime: string;
  ext: string;
  width: number;
  height: number;
}

const notAnImage = (message: string) =>
  new errors.ValidationError(message, { errors: [{ path: ['avatar'], message, name: 'ValidationError' }], reason: 'not_an_image' });

async function readHead(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Avatars in the Media Library. An upload is checked by its content, never by its name or declared
 * type: its signature must be JPEG, PNG, GIF or WebP (no SVG: served back, it could carry script),
 * then sharp, as the upload plugin has it, must read the same format and decode the whole image
 * (a signature followed by anything else, a truncated file, too many pixels: refused).
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  /** The image in `file`, or a 400 ValidationError (reason not_an_image). */
  async inspect(file: LocalFile): Promise<AvatarImage> {
    const format = sniffImageFormat(await readHead(file.path));
    if (!format) throw notAnImage('The avatar must be a JPEG, PNG, GIF or WebP image');
    const sharp = uploadPluginSharp();
    let width: number | undefined;
    let height: number | undefined;
    try {
      const metadata = await sharp(file.path, { limitInputPixels: false }).metadata();
      if (metadata.format !== format) throw new Error('format mismatch');
      ({ width, height } = metadata);
    } catch {
      throw notAnImage('The avatar is not a readable image');
    }
    if (!width || !height) throw notAnImage('The avatar is not a readable image');
    if (width * height > AVATAR_MAX_PIXELS) throw notAnImage(`The avatar has too many pixels (at most ${AVATAR_MAX_PIXELS}, e.g. 4096 × 4096)`);
    try {
      // Decodes every pixel (a tiny output, so little memory): a damaged image fails here, not later
      // while the upload plugin makes its formats.
      await sharp(file.path, { limitInputPixels: AVATAR_MAX_PIXELS, failOn: 'error' }).resize(8, 8, { fit: 'inside' }).raw().toBuffer();
    } catch {
      throw notAnImage('The avatar is not a readable image');
    }
    return { format, ...AVATAR_FORMATS[format], width, height };
  },

  /** Stores the checked image in the Media Library (provider, formats), under the type it really has. */
  store(userId: number, file: LocalFile, image: AvatarImage): Promise<MediaFile> {
    return mediaLibrary.upload(
      strapi,
      { path: file.path, size: file.size, type: image.mime, name: `wechat-avatar-user-${userId}${image.ext}` },
      { name: `wechat-avatar-user-${userId}${image.ext}`, caption: `WeChat avatar of user #${userId}` }
    );
  },

  /** Deletes a Media Library file; a failure is logged (by ids), not thrown: the profile is already saved. */
  async discard(fileId: number, userId: number): Promise<void> {
    try {
      const file = await mediaLibrary.find(strapi, fileId);
      if (file) await mediaLibrary.remove(strapi, file);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      strapi.log.warn(
        `[wechat-auth] profile: the replaced avatar (Media Library file #${fileId}) of user #${userId} could not be deleted (${typeof code === 'string' ? code : error instanceof Error ? error.name : 'error'}): delete it in the Media Library`
      );
    }
  },
});
