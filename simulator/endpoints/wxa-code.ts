/**
 * POST /wxa/getwxacodeunlimit?access_token= { scene, page?, check_path?, env_version?, width?, auto_color?,
 * line_color?, is_hyaline? }: a PNG (Content-Type image/png, see ../png.ts) on success, JSON errcode otherwise.
 *
 * Errcodes: 40169 body not a JSON object, scene missing, empty, over 32 characters or outside
 * `0-9A-Za-z!#$&'()*+,/:;=?@-._~`; 41030 page not a string, with a leading `/` or a query, or (check_path not false)
 * unpublished; 40097 (WeChat's "invalid args") env_version not release/trial/develop, width not a number, line_color
 * not { r, g, b } of 0..255, check_path / auto_color / is_hyaline not booleans. width is clamped to 280..1280
 * (default 430), not refused.
 */
import { wxError } from '../errors';
import { renderWxaCode } from '../png';
import { keep } from '../state';
import { Endpoint, str } from './endpoint';

const SCENE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;
const ENV_VERSIONS = ['release', 'trial', 'develop'];

function colour(value: unknown): { r: number; g: number; b: number } | null {
  if (value === null || typeof value !== 'object') return null;
  const { r, g, b } = value as Record<string, unknown>;
  const channel = (c: unknown) => (typeof c === 'number' || typeof c === 'string') && /^\d{1,3}$/.test(String(c)) && Number(c) <= 255;
  return channel(r) && channel(g) && channel(b) ? { r: Number(r), g: Number(g), b: Number(b) } : null;
}

const optionalBoolean = (value: unknown) => value === undefined || typeof value === 'boolean';

export const wxaCode: Endpoint = {
  method: 'POST',
  path: '/wxa/getwxacodeunlimit',
  api: 'qrcode',
  needsToken: true,
  faultCode: (req) => str(req.json?.scene),
  handle(state, req, appId) {
    const body = req.json;
    if (!body || !appId) return { json: wxError(40169) };
    const scene = str(body.scene);
    if (!scene || !SCENE.test(scene)) return { json: wxError(40169) };
    const { page, check_path, env_version, width, auto_color, line_color, is_hyaline } = body;
    if (!optionalBoolean(check_path) || !optionalBoolean(auto_color) || !optionalBoolean(is_hyaline)) return { json: wxError(40097) };
    if (page !== undefined && page !== '') {
      if (typeof page !== 'string' || page.startsWith('/') || page.includes('?')) return { json: wxError(41030) };
      if (check_path !== false && state.isUnpublished(appId, page)) return { json: wxError(41030) };
    }
    if (env_version !== undefined && !ENV_VERSIONS.includes(env_version as string)) return { json: wxError(40097) };
    if (width !== undefined && (typeof width !== 'number' || !Number.isFinite(width))) return { json: wxError(40097) };
    const lineColor = line_color === undefined || auto_color === true ? { r: 0, g: 0, b: 0 } : colour(line_color);
    if (!lineColor) return { json: wxError(40097) };

    const code = {
      scene,
      ...(typeof page === 'string' && page ? { page } : {}),
      envVersion: typeof env_version === 'string' ? env_version : 'release',
      width: Math.min(1280, Math.max(280, Math.round(width ?? 430))),
      lineColor,
      isHyaline: is_hyaline === true,
    };
    const png = renderWxaCode(code);
    keep(state.wxaCodes, { appId, ...code, checkPath: check_path !== false, bytes: png.length });
    return { png };
  },
};
