import { query } from '../strapi';
import type { Strapi } from '../types';
import { ACCESS_TOKEN_UID } from '../content-types/access-token';
import { getService } from '../utils/get-service';
import type secretsService from './secrets';
import type { AccessTokenStore, TokenRecord, TokenRecordChange } from '../wechat/access-token';

/** A row of wechat_access_tokens as the query engine answers it (biginteger as a string, datetimes as dates or strings). */
interface AccessTokenRow {
  appId: string;
  accessToken: string | null;
  expiresAt: string | number | null;
  refreshedAt: string | Date | null;
  lastErrcode: number | string | null;
  lastErrorAt: string | Date | null;
  forceRefreshes: unknown;
}

const ms = (value: string | number | Date | null | undefined): number | null => {
  if (value === null || value === undefined) return null;
  const n = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(n) ? n : null;
};

type Secrets = Pick<ReturnType<typeof secretsService>, 'openOrNull' | 'seal'>;

/** The stored token opened; one no configured key opens counts as none (a fresh one is fetched). */
const openToken = (secrets: Secrets, stored: string | null): string | null => secrets.openOrNull(stored || null);

function fromRow(row: AccessTokenRow, secrets: Secrets): TokenRecord {
  let forceRefreshes: unknown = row.forceRefreshes;
  if (typeof forceRefreshes === 'string') {
    try {
      forceRefreshes = JSON.parse(forceRefreshes);
    } catch {
      forceRefreshes = [];
    }
  }
  return {
    appId: row.appId,
    accessToken: openToken(secrets, row.accessToken),
    expiresAt: ms(row.expiresAt),
    refreshedAt: ms(row.refreshedAt),
    lastErrcode: row.lastErrcode === null || row.lastErrcode === undefined ? null : Number(row.lastErrcode),
    lastErrorAt: ms(row.lastErrorAt),
    forceRefreshes: Array.isArray(forceRefreshes) ? forceRefreshes.map(Number).filter(Number.isFinite) : [],
  };
}

function toRow(change: TokenRecordChange, secrets: Secrets): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if ('accessToken' in change) data.accessToken = change.accessToken ? secrets.seal(change.accessToken) : null;
  if ('expiresAt' in change) data.expiresAt = change.expiresAt === null || change.expiresAt === undefined ? null : String(Math.round(change.expiresAt));
  if ('refreshedAt' in change) data.refreshedAt = change.refreshedAt ? new Date(change.refreshedAt) : null;
  if ('lastErrcode' in change) data.lastErrcode = change.lastErrcode;
  if ('lastErrorAt' in change) data.lastErrorAt = change.lastErrorAt ? new Date(change.lastErrorAt) : null;
  if ('forceRefreshes' in change) data.forceRefreshes = change.forceRefreshes ?? [];
  return data;
}

/**
 * The access token manager's store on Strapi: one row per AppID in wechat_access_tokens, read and
 * written with the query engine. Upsert by the unique app_id: update, else insert; an insert that
 * loses the race to another instance (unique index) updates the row that instance made.
 */
export function createAccessTokenStore(strapi: Strapi): AccessTokenStore & { readAll(): Promise<TokenRecord[]> } {
  const rows = () => query<AccessTokenRow>(strapi, ACCESS_TOKEN_UID);
  const secrets = () => getService(strapi, 'secrets');

  return {
    async read(appId) {
      const row = await rows().findOne({ where: { appId } });
      return row ? fromRow(row, secrets()) : null;
    },

    async readAll() {
      return (await rows().findMany({})).map((row) => fromRow(row, secrets()));
    },

    async write(appId, change) {
      const data = toRow(change, secrets());
      const { count } = await rows().updateMany({ where: { appId }, data });
      if (count > 0) return;
      try {
        await rows().create({ data: { appId, forceRefreshes: [], ...data } });
      } catch (error) {
        // Another instance inserted the row first: update it (or fail as the insert did when there is none).
        if (!(await rows().findOne({ where: { appId }, select: ['appId'] }))) throw error;
        await rows().updateMany({ where: { appId }, data });
      }
    },

    async writeIf(appId, expectedToken, change) {
      // The stored token is sealed with a random IV: compare the plaintext, then swap on the exact stored text.
      const row = await rows().findOne({ where: { appId }, select: ['accessToken'] });
      if (!row) return false;
      if (openToken(secrets(), row.accessToken) !== expectedToken) return false;
      // null: no token stored (the query engine turns it into IS NULL).
      const { count } = await rows().updateMany({ where: { appId, accessToken: row.accessToken ?? null }, data: toRow(change, secrets()) });
      return count > 0;
    },
  };
}
