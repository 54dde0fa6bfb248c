import { randomBytes } from 'crypto';
import { errors, pluginConfig, query } from '../strapi';
import type { Strapi, WeChatUser } from '../types';
import { QR_LOGIN_UID } from '../content-types/qr-login';
import { hashSecret, matchesHash } from '../crypto/secret-hash';
import { getService } from '../utils/get-service';
import { httpError } from '../utils/http-error';
import { sniffImageFormat, AVATAR_FORMATS } from '../utils/image-type';
import { USER_UID } from '../utils/plugin-id';
import type { LoginResult } from './login';

/** What the web page polling a ticket is told. */
export type QrLoginStatus = 'pending' | 'scanned' | 'confirmed' | 'cancelled' | 'expired';

/** The states a row goes through; `collected` (the JWT handed out) reads as `confirmed`. */
type StoredStatus = 'pending' | 'scanned' | 'confirmed' | 'collected' | 'cancelled';

interface QrLoginRow {
  id: number;
  ticket: string;
  secretHash: string;
  status: StoredStatus;
  appId: string;
  browserDevice: string | null;
  browserNetwork: string | null;
  scannedBy: number | string | null;
  createdAt: string | Date;
  expiresAt: string | number;
}

export interface CreatedTicket {
  ticket: string;
  /** Stays with the browser that asked: the only key to the outcome. Stored as a hash. */
  secret: string;
  /** The mini program code, as a data: URL. */
  qrCode: string;
  expiresAt: string;
}

/** What the confirm page shows, so that a person does not confirm someone else's browser. */
export interface BrowserDescription {
  device: string;
  network: string;
  requestedAt: string;
}

/** How long the browser has to collect its login once the user confirmed. */
export const COLLECT_WINDOW_MS = 60_000;
/** An expired ticket still reads as `expired` this long, then it is deleted. */
export const KEEP_EXPIRED_MS = 5 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;

const NOT_FOUND = 'No such login ticket (or not yours)';

const ms = (value: string | number) => Number(value);
const iso = (value: string | Date) => new Date(value).toISOString();

function publicStatus(row: QrLoginRow, now: number): QrLoginStatus {
  if (row.status === 'collected') return 'confirmed';
  if (row.status === 'cancelled') return 'cancelled';
  return ms(row.expiresAt) <= now ? 'expired' : row.status;
}

/**
 * Logging in on a website by scanning a mini program code (docs/qr-login.md). Each change of a
 * ticket is one conditional UPDATE (… WHERE ticket = ? AND status = ? AND expires_at > now), so the
 * database settles races between requests and instances: a ticket is scanned by one user, confirmed
 * only by that user, and its login handed out once.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  const rows = () => query<QrLoginRow>(strapi, QR_LOGIN_UID);
  const config = () => pluginConfig(strapi, 'qrLogin');
  let timer: NodeJS.Timeout | null = null;

  const find = (ticket: string) => rows().findOne({ where: { ticket } });

  /** One conditional change: true when this request made it. */
  async function transition(ticket: string, from: StoredStatus, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<boolean> {
    const { count } = await rows().updateMany({ where: { ticket, status: from, expiresAt: { $gt: Date.now() }, ...extra }, data });
    return count === 1;
  }

  /** Why a change did not happen, as the error the mini program receives. */
  async function refusal(ticket: string, userId: number): Promise<Error> {
    const row = await find(ticket);
    if (!row) return new errors.NotFoundError(NOT_FOUND);
    const status = publicStatus(row, Date.now());
    if (status === 'expired') return httpError(410, 'This login code has expired: refresh it on the web page and scan again', { reason: 'expired' });
    if (row.scannedBy !== null && Number(row.scannedBy) !== userId) {
      return httpError(409, 'This login code was scanned by someone else', { reason: 'scanned_by_other' });
    }
    if (status === 'pending') return httpError(409, 'Scan the login code first', { reason: 'not_scanned' });
    return httpError(409, `This login code is already ${status}`, { reason: status });
  }

  function describe(row: QrLoginRow): { browser: BrowserDescription; expiresAt: string } {
    return {
      browser: { device: row.browserDevice ?? 'Unknown browser', network: row.browserNetwork ?? 'unknown', requestedAt: iso(row.createdAt) },
      expiresAt: new Date(ms(row.expiresAt)).toISOString(),
    };
  }

  /** The confirmed ticket's user, logged in: once (the row goes to `collected` first). */
  async function collect(row: QrLoginRow, userAgent: string | undefined): Promise<LoginResult | null> {
    if (!(await transition(row.ticket, 'confirmed', { status: 'collected', collectedAt: new Date() }))) return null;
    const user = await query<WeChatUser>(strapi, USER_UID).findOne({ where: { id: Number(row.scannedBy) } });
    if (!user || user.blocked) throw httpError(403, 'This account cannot log in: it was blocked or deleted', { reason: 'blocked' });
    const tokens = await getService(strapi, 'token').issue(user.id, { userAgent });
    return { ...tokens, user };
  }

  async function sweep(): Promise<number> {
    const { count } = await rows().deleteMany({ where: { expiresAt: { $lt: Date.now() - KEEP_EXPIRED_MS } } });
    return count;
  }

  return {
    /**
     * A new ticket and its mini program code (scene = the ticket). WeChat is asked first: when it
     * fails, nothing is stored.
     */
    async create({ appId, device, network }: { appId?: string; device: string; network: string }): Promise<CreatedTicket> {
      const { page, envVersion, checkPath, ttlSeconds } = config();
      const app = await getService(strapi, 'credentials').get(appId);
      const ticket = randomBytes(18).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      let image: Buffer;
      try {
        image = await getService(strapi, 'wechat').getUnlimitedQRCode({ appId: app.appId, scene: ticket, page, envVersion, checkPath });
      } catch (error) {
        // WeChat refusing the page is the server's configuration, not the browser's request.
        const reason = (error as { details?: { reason?: unknown } }).details?.reason;
        if (reason === 'bad_page') {
          strapi.log.warn(
            `[wechat-auth] QR login: WeChat refused qrLogin.page for ${app.appId} (not in the ${envVersion} version; checkPath: false while developing)`
          );
          throw httpError(502, 'WeChat refused to make the login code: the mini program page is not published', { reason: 'bad_page' });
        }
        throw error;
      }
      const expiresAt = Date.now() + ttlSeconds * 1000;
      await rows().create({
        data: { ticket, secretHash: hashSecret(secret), status: 'pending', appId: app.appId, browserDevice: device, browserNetwork: network, expiresAt },
      });
      const mime = AVATAR_FORMATS[sniffImageFormat(image) ?? 'png'].mime;
      return { ticket, secret, qrCode: `data:${mime};base64,${image.toString('base64')}`, expiresAt: new Date(expiresAt).toISOString() };
    },

    /**
     * Where the ticket is, for the browser holding its secret; the first read after the user
     * confirmed also carries the login (and no later read does). A wrong secret reads as an unknown ticket.
     */
    async read(ticket: string, secret: string, client: { userAgent?: string } = {}): Promise<{ status: QrLoginStatus; login?: LoginResult }> {
      const row = await find(ticket);
      const now = Date.now();
      if (!row || !matchesHash(secret, row.secretHash)) throw new errors.NotFoundError(NOT_FOUND);
      if (ms(row.expiresAt) < now - KEEP_EXPIRED_MS) {
        await rows().deleteMany({ where: { ticket, expiresAt: { $lt: now - KEEP_EXPIRED_MS } } });
        throw new errors.NotFoundError(NOT_FOUND);
      }
      if (row.status === 'confirmed' && publicStatus(row, now) === 'confirmed') {
        const login = await collect(row, client.userAgent);
        if (login) return { status: 'confirmed', login };
        const again = await find(ticket);
        return { status: again ? publicStatus(again, Date.now()) : 'expired' };
      }
      return { status: publicStatus(row, now) };
    },

    /** The user scanned the code: the ticket is theirs to confirm or cancel. Scanning again (same user) answers the same. */
    async scan(ticket: string, userId: number): Promise<{ status: 'scanned'; browser: BrowserDescription; expiresAt: string }> {
      const claimed = await transition(ticket, 'pending', { status: 'scanned', scannedBy: userId, scannedAt: new Date() });
      const row = await find(ticket);
      const mine = row && row.status === 'scanned' && Number(row.scannedBy) === userId && publicStatus(row, Date.now()) === 'scanned';
      if (!claimed && !mine) throw await refusal(ticket, userId);
      if (!row) throw new errors.NotFoundError(NOT_FOUND);
      return { status: 'scanned', ...describe(row) };
    },

    /** The user who scanned it says yes: the browser may collect the login within COLLECT_WINDOW_MS. */
    async confirm(ticket: string, userId: number): Promise<{ status: 'confirmed' }> {
      const data = { status: 'confirmed', confirmedAt: new Date(), expiresAt: Date.now() + COLLECT_WINDOW_MS };
      if (!(await transition(ticket, 'scanned', data, { scannedBy: userId }))) throw await refusal(ticket, userId);
      return { status: 'confirmed' };
    },

    /** The user who scanned it says no: the browser is told `cancelled`. */
    async cancel(ticket: string, userId: number): Promise<{ status: 'cancelled' }> {
      if (!(await transition(ticket, 'scanned', { status: 'cancelled' }, { scannedBy: userId }))) throw await refusal(ticket, userId);
      return { status: 'cancelled' };
    },

    /** Deletes the tickets expired for longer than KEEP_EXPIRED_MS; how many. */
    sweep,

    /** Bootstrap: sweeps once, then every minute while QR login is on (the timer never keeps the process up). */
    async start(): Promise<void> {
      await sweep();
      if (!config().enabled || timer) return;
      timer = setInterval(() => {
        sweep().catch((error: Error) => strapi.log.warn(`[wechat-auth] QR login: sweeping expired tickets failed: ${error.message}`));
      }, SWEEP_INTERVAL_MS);
      timer.unref();
    },

    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
};
