/**
 * The HTTP side of logging in on the web by scanning a mini program code (docs/qr-login.md): what the
 * web page and the mini program send.
 */
import request from 'supertest';

type Target = Parameters<typeof request>[0];

export const QR_LOGINS_PATH = '/api/strapi-wechat-miniprogram-auth/qr-logins';
export const QR_LOGIN_UID = 'plugin::strapi-wechat-miniprogram-auth.qr-login';
export const QR_LOGIN_TABLE = 'wechat_qr_logins';
/** A desktop Chrome, as the browser that asks for a code. */
export const DESKTOP_CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

export interface CreatedTicket {
  ticket: string;
  secret: string;
  qrCode: string;
  expiresAt: string;
}

/** POST /qr-logins as the web page sends it; `from` sets X-Forwarded-For (the test apps trust one proxy). */
export function createTicket(server: Target, body: unknown = {}, { from, userAgent = DESKTOP_CHROME }: { from?: string; userAgent?: string } = {}) {
  const req = request(server).post(QR_LOGINS_PATH).set('User-Agent', userAgent);
  if (from) req.set('X-Forwarded-For', from);
  return req.send(body as object);
}

/** GET /qr-logins/:ticket with the secret in X-Login-Secret (none when `secret` is null). */
export function readTicket(server: Target, ticket: string, secret: string | null, userAgent = DESKTOP_CHROME) {
  const req = request(server)
    .get(`${QR_LOGINS_PATH}/${encodeURIComponent(ticket)}`)
    .set('User-Agent', userAgent);
  return secret === null ? req : req.set('X-Login-Secret', secret);
}

/** POST /qr-logins/:ticket/<action> as the mini program does, with the user's JWT. */
export function ticketAction(server: Target, ticket: string, action: 'scan' | 'confirm' | 'cancel', jwt: string | null) {
  const req = request(server).post(`${QR_LOGINS_PATH}/${encodeURIComponent(ticket)}/${action}`);
  return jwt === null ? req : req.set('Authorization', `Bearer ${jwt}`);
}
