/**
 * The upload plugin (Strapi's Media Library), as the profile's avatar uses it: files stored through
 * its service get the app's upload provider (local, S3, OSS, COS...), the image formats and a row
 * the admin's Media Library shows; removing one deletes the provider's files and its links.
 */
import { createRequire } from 'module';
import { query, strapiMajor } from './index';
import type { Strapi } from './types';

export const FILE_UID = 'plugin::upload.file';

/** One size of an image as the Media Library keeps it (`formats.thumbnail`, `formats.small`...). */
export interface MediaFormat {
  url: string;
  width: number | null;
  height: number | null;
  mime: string | null;
  /** Kilobytes, as the Media Library counts them. */
  size: number | null;
  [key: string]: unknown;
}

/** A row of plugin::upload.file. */
export interface MediaFile {
  id: number;
  name: string;
  url: string;
  mime: string;
  ext: string | null;
  /** Kilobytes, as the Media Library counts them. */
  size: number;
  width: number | null;
  height: number | null;
  formats: Record<string, MediaFormat> | null;
  provider: string;
  [key: string]: unknown;
}

/** A file on this machine's disk (a multipart part the body parser saved), as the upload service takes it. */
export interface LocalFile {
  path: string;
  name: string;
  type: string;
  size: number;
}

interface UploadService {
  upload(input: { data: { fileInfo: Record<string, unknown> }; files: Record<string, unknown> }): Promise<MediaFile[]>;
  remove(file: MediaFile): Promise<unknown>;
}

interface ApiUploadFolderService {
  getAPIUploadFolder(): Promise<{ id: number } | null>;
}

function uploadPlugin(strapi: Strapi) {
  const plugin = strapi.plugin('upload');
  if (!plugin) throw new Error('[wechat-auth] the upload plugin (@strapi/plugin-upload) is not loaded: avatars cannot be stored');
  return plugin;
}

/** v4's upload service reads formidable 1's field names; v5's (koa-body 6, formidable 2) reads `filepath`, `originalFilename`, `mimetype`. */
function asUploadServiceFile(strapi: Strapi, file: LocalFile): Record<string, unknown> {
  if (strapiMajor(strapi) === 5) return { filepath: file.path, originalFilename: file.name, mimetype: file.type, size: file.size };
  return { ...file };
}

/**
 * A multipart part as the app's body parser left it on disk, in the plugin's terms: koa-body 4
 * (Strapi 4, formidable 1) names its fields `path`/`name`/`type`, koa-body 6 (Strapi 5, formidable 2)
 * `filepath`/`originalFilename`/`mimetype`. Anything else (a text field, a missing part) is null.
 */
export function uploadedPart(part: unknown): LocalFile | null {
  if (typeof part !== 'object' || part === null || Array.isArray(part)) return null;
  const p = part as Record<string, unknown>;
  const path = typeof p.filepath === 'string' ? p.filepath : p.path;
  const name = p.originalFilename ?? p.name;
  const type = p.mimetype ?? p.type;
  if (typeof path !== 'string' || typeof p.size !== 'number') return null;
  return { path, name: typeof name === 'string' ? name : '', type: typeof type === 'string' ? type : '', size: p.size };
}

export const mediaLibrary = {
  /**
   * Stores `file` as the Media Library's upload route would: in its "API Uploads" folder, through
   * the provider, with formats for images. `file.type` must be the real type (the service trusts it).
   */
  async upload(strapi: Strapi, file: LocalFile, fileInfo: { name: string; caption?: string }): Promise<MediaFile> {
    const plugin = uploadPlugin(strapi);
    const folder = await plugin.service<ApiUploadFolderService>('api-upload-folder').getAPIUploadFolder();
    // A fresh object: the service writes its working directory into it.
    const [stored] = await plugin
      .service<UploadService>('upload')
      .upload({ data: { fileInfo: { ...fileInfo, folder: folder?.id ?? null } }, files: asUploadServiceFile(strapi, file) });
    return stored;
  },

  /** Deletes the file from the provider and the Media Library (its links to entries go with it). */
  async remove(strapi: Strapi, file: MediaFile): Promise<void> {
    await uploadPlugin(strapi).service<UploadService>('upload').remove(file);
  },

  find(strapi: Strapi, id: number): Promise<MediaFile | null> {
    return query<MediaFile>(strapi, FILE_UID).findOne({ where: { id } });
  },
};

type Sharp = typeof import('sharp');

/** The upload plugin's package: `@strapi/plugin-upload` on v4, `@strapi/upload` on v5. */
function uploadPackageJson(): string {
  try {
    return require.resolve('@strapi/plugin-upload/package.json');
  } catch {
    return require.resolve('@strapi/upload/package.json');
  }
}
let sharpModule: Sharp | null = null;

/**
 * sharp as the upload plugin loads it (it is its dependency, so every Strapi app has it, and it is
 * the very library that will make the image formats), not a copy of the plugin's own.
 */
export function uploadPluginSharp(): Sharp {
  if (!sharpModule) {
    const requireFromUpload = createRequire(uploadPackageJson());
    sharpModule = requireFromUpload('sharp') as Sharp;
  }
  return sharpModule;
}
