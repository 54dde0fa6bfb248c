/**
 * Database failures as they leave the seam: the driver's error code and the name of the plugin's
 * operation, never a value. knex writes the failed statement with its bound values into its error
 * messages (`insert into … values ('<openid>', '<session key>')`), PostgreSQL's `detail` and MySQL's
 * `sqlMessage` quote the duplicate key, and Strapi's error middleware logs whatever reaches it: an
 * openid, a userInfo, a session key or an access token would end up in the log. Every database call
 * of the seam goes through `databaseOperation`, so nothing of the original error travels on (no
 * `cause`, no message, no stack), only its code, which callers test (`isUniqueViolation`).
 */
import { errors } from '@strapi/utils';

/** A unique index refused a row: SQLite, PostgreSQL, MySQL/MariaDB. */
const UNIQUE_VIOLATION_CODES: ReadonlySet<string> = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505', 'ER_DUP_ENTRY']);

/** Driver codes are short identifiers (SQLITE_BUSY, 40P01, ER_LOCK_DEADLOCK, ECONNREFUSED); anything else is not one. */
const CODE_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
const NAME_PATTERN = /^[A-Za-z]{1,64}$/;

export class DatabaseOperationError extends Error {
  /** The driver's error code (SQLITE_CONSTRAINT_UNIQUE, 23505, ER_DUP_ENTRY…), null when it gave none. */
  readonly code: string | null;
  /** Which of the plugin's operations failed, e.g. `plugin::strapi-wechat-miniprogram-auth.identity.create`. */
  readonly operation: string;

  constructor(operation: string, code: string | null, kind: string | null = null) {
    super(`[wechat-auth] database operation ${operation} failed (${[kind, code ?? 'no error code'].filter(Boolean).join(' ')})`);
    this.name = 'DatabaseOperationError';
    this.code = code;
    this.operation = operation;
  }
}

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CODE_PATTERN.test(code)) return code;
  if (typeof code === 'number' && Number.isInteger(code)) return String(code);
  return null;
}

/** Whether a failed write lost to a unique index (for a DatabaseOperationError or a driver's own error). */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code !== null && UNIQUE_VIOLATION_CODES.has(code);
}

/**
 * Errors that are the plugin's (or Strapi's) own answers, thrown inside a transaction or a callback
 * and carrying no database values: HTTP errors, @strapi/utils' errors, an already sanitized failure.
 */
function isOwnError(error: unknown): boolean {
  if (error instanceof DatabaseOperationError || error instanceof errors.ApplicationError) return true;
  if (!(error instanceof Error)) return false;
  return typeof (error as { status?: unknown }).status === 'number' || error.name === 'ShortcutAssumptionError';
}

/** `error` as it may leave the seam: our own errors unchanged, anything from the database layer replaced. */
export function asDatabaseOperationError(operation: string, error: unknown): unknown {
  if (isOwnError(error)) return error;
  const name = error instanceof Error && NAME_PATTERN.test(error.name) && error.name !== 'Error' ? error.name : null;
  return new DatabaseOperationError(operation, codeOf(error), name);
}

/** Runs one database operation of the plugin; a failure leaves as a DatabaseOperationError. */
export async function databaseOperation<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asDatabaseOperationError(operation, error);
  }
}
