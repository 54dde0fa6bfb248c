import { rm } from 'fs/promises';
import type { IncomingMessage } from 'http';
import type { Context, Next } from 'koa';
import { errors, pluginConfig, restApiPrefix, uploadedPart } from '../strapi';
import type { Strapi } from '../types';
import { PLUGIN_ID } from '../utils/plugin-id';

/** Room in a multipart body for what is not the avatar: part headers, boundaries, nickName and appId. */
export const MULTIPART_ALLOWANCE_BYTES = 64 * 1024;

/**
 * Multipart requests to the plugin's URLs, before the app's own middlewares (the plugin adds it in
 * register(), ahead of strapi::body, which writes every part of a multipart body to the temporary
 * folder before any route is matched).
 *
 * - Size: a body larger than `profile.avatarMaxBytes` + MULTIPART_ALLOWANCE_BYTES is refused with 413,
 *   by its Content-Length before anything is read, else (chunked) as soon as that many bytes have
 *   been read: formidable then stops and deletes what it wrote. Strapi's body middleware takes its
 *   formidable options (`maxFileSize`) once, for the whole app, so a per-route limit cannot go there.
 * - Temporary files: whatever the outcome (401/403 before the controller, a validation error, a
 *   crash), the parts the body parser wrote for this request are deleted before the answer leaves.
 *   Strapi deletes only those of a field named `files`, and not when the request failed.
 */
export function createMultipartGuard(strapi: Strapi): (ctx: Context, next: Next) => Promise<void> {
  return async (ctx, next) => {
    if (!isPluginUrl(strapi, ctx.path)) {
      await next();
      return;
    }
    const multipart = Boolean(ctx.request.is('multipart'));
    let stopCounting: (() => void) | null = null;
    const uploaded = recordUploadedFiles(ctx);
    if (multipart) {
      const maxBytes = pluginConfig(strapi, 'profile').avatarMaxBytes + MULTIPART_ALLOWANCE_BYTES;
      const declared = Number(ctx.get('content-length') || NaN);
      if (declared > maxBytes) return refuseTooLarge(ctx, strapi);
      stopCounting = limitBodyBytes(ctx.req, maxBytes, () => tooLarge(strapi));
    }
    try {
      await next();
    } finally {
      stopCounting?.();
      await removeUploadedFiles(uploaded());
      // The rest of a refused upload is not read: the connection is closed after the answer.
      if (multipart && ctx.status === 413 && !ctx.req.complete) ctx.set('Connection', 'close');
    }
  };
}

/** The admin-type URLs (/strapi-wechat-miniprogram-auth/…) and the content API's (/api/strapi-wechat-miniprogram-auth/…), as the router matches them (case-insensitively). */
function isPluginUrl(strapi: Strapi, path: string): boolean {
  const lower = path.toLowerCase();
  return [`/${PLUGIN_ID}`, `${restApiPrefix(strapi).toLowerCase()}/${PLUGIN_ID}`].some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
}

function tooLarge(strapi: Strapi) {
  const { avatarMaxBytes } = pluginConfig(strapi, 'profile');
  // The avatar is the only file the plugin takes: its field and limit, as the profile's own check reports them.
  return new errors.PayloadTooLargeError(`The request is too large: an avatar may have up to ${avatarMaxBytes} bytes`, {
    field: 'avatar',
    maxBytes: avatarMaxBytes,
  });
}

/** Answers 413 in Strapi's error format from here, ahead of Strapi's error middleware, without reading the body. */
function refuseTooLarge(ctx: Context, strapi: Strapi): void {
  const error = tooLarge(strapi);
  ctx.status = 413;
  ctx.set('Connection', 'close');
  ctx.body = { data: null, error: { status: 413, name: error.name, message: error.message, details: error.details } };
}

/**
 * Counts the bytes the body parser reads from `req` (every 'data' event it receives) and, past
 * `maxBytes`, gives it `tooLarge()` as the request's error instead of the next chunk: formidable
 * stops, deletes the files it opened and rejects, and Strapi answers the error (413). Counting at
 * the event, not with a listener of our own, leaves the stream's flow to its consumer.
 */
function limitBodyBytes(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): () => void {
  let received = 0;
  const own = Object.getOwnPropertyDescriptor(req, 'emit');
  const emit = req.emit.bind(req);
  let counting = true;
  const stop = () => {
    if (!counting) return;
    counting = false;
    if (own) Object.defineProperty(req, 'emit', own);
    else delete (req as Partial<IncomingMessage>).emit;
  };
  req.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (counting && event === 'data') {
      received += (args[0] as { length: number }).length;
      if (received > maxBytes && req.listenerCount('error') > 0) {
        stop();
        return emit('error', tooLarge());
      }
    }
    return emit(event, ...args);
  };
  return stop;
}

/**
 * Keeps every `ctx.request.files` the body parser sets: Strapi's body middleware deletes the property
 * after a request that did not throw (a 403 answered by the router, a success), forgetting all parts
 * but those of a `files` field, which are the only ones it removes.
 */
function recordUploadedFiles(ctx: Context): () => unknown[] {
  const seen: unknown[] = [];
  let current: unknown;
  Object.defineProperty(ctx.request, 'files', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set(value: unknown) {
      current = value;
      if (value) seen.push(value);
    },
  });
  return () => seen;
}

/** Deletes every part the body parser wrote for this request (any field, one file or a list). */
async function removeUploadedFiles(uploads: unknown[]): Promise<void> {
  const paths = uploads
    .flatMap((files) => Object.values(files as Record<string, unknown>))
    .flat()
    .map((part) => uploadedPart(part)?.path)
    .filter((path): path is string => typeof path === 'string');
  await Promise.all(paths.map((path) => rm(path, { force: true })));
}
