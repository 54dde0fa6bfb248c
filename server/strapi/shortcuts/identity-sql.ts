/**
 * Shortcut: the returning-user login's two statements as plain knex SQL instead of the query
 * engine (`strapi.db.query`).
 *
 * Why: every login looks up (appId, openid) → identity → user, and stores the new session key (and a
 * changed profile, when the client sends one).
 * Through the query engine that is a findOne with populate (two SELECTs plus its query building
 * and row mapping) and an update (SELECT, UPDATE, relations transaction, SELECT): bench:steps put
 * the query engine's find + update at ~0.4–0.75 ms of CPU per login around SQL that knex runs in
 * half the time. Here: one SELECT joining identity, link table and user; one UPDATE of the identity.
 *
 * Assumptions, read from Strapi's own metadata rather than hard-coded: the identity model's `user`
 * relation has a join table (Strapi 4 puts every relation in one); every scalar attribute of a
 * model has a column, and `columnToAttribute` maps columns back. Rows are turned into what the
 * query engine would answer with the same conversions as @strapi/database's fields (fromDB).
 * `assertIdentitySqlAssumptions` checks the metadata at bootstrap and throws naming this shortcut;
 * tests/seam.test.ts compares the result with the query engine's field by field.
 */
import type { Knex } from 'knex';
import { databaseOperation } from '../database-error';
import type { ModelMetadata, Row } from '../types';

export const SHORTCUT_NAME = 'identity-sql (server/strapi/shortcuts/identity-sql.ts)';

export class ShortcutAssumptionError extends Error {
  constructor(shortcut: string, what: string) {
    super(`[wechat-auth] the ${shortcut} shortcut no longer fits this Strapi version: ${what}`);
    this.name = 'ShortcutAssumptionError';
  }
}

export function assertIdentitySqlAssumptions(identity: ModelMetadata, user: ModelMetadata): void {
  const relation = identity.attributes.user;
  if (!relation?.joinTable?.joinColumn?.name || !relation.joinTable.inverseJoinColumn?.name) {
    throw new ShortcutAssumptionError(SHORTCUT_NAME, 'the identity → user relation has no join table in the metadata');
  }
  for (const [model, names] of [
    [identity, ['appId', 'openid', 'unionid', 'sessionKey', 'createdAt', 'updatedAt']],
    [user, ['id', 'blocked', 'wechatUserInfo', 'updatedAt']],
  ] as const) {
    for (const name of names) {
      if (!model.attributes[name]?.columnName && name !== 'id') {
        throw new ShortcutAssumptionError(SHORTCUT_NAME, `${model.uid}.${name} has no columnName in the metadata`);
      }
    }
    if (!model.columnToAttribute || typeof model.columnToAttribute !== 'object') {
      throw new ShortcutAssumptionError(SHORTCUT_NAME, `${model.uid} has no columnToAttribute map`);
    }
  }
}

/** @strapi/database's `fromDB` per attribute type (4.26: packages/core/database/src/fields). */
function fromDB(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  // Drivers hand back strings, numbers, booleans, Dates or (pg, JSON columns) parsed objects.
  const text = (): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value instanceof Date) return String(value);
    return JSON.stringify(value);
  };
  switch (type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      return text() === '1' ? true : text() === '0' ? false : null;
    }
    case 'json':
    case 'blocks':
      if (typeof value === 'string') {
        try {
          return JSON.parse(value);
        } catch {
          return value;
        }
      }
      return value;
    case 'integer':
    case 'float':
    case 'decimal':
      return Number(value);
    case 'datetime': {
      const date = new Date(value as string);
      return Number.isNaN(date.getTime()) ? null : date.toISOString();
    }
    case 'timestamp': {
      const date = new Date(value as string);
      return Number.isNaN(date.getTime()) ? null : String(date.getTime());
    }
    case 'increments':
    case 'date':
    case 'time':
      return value;
    default:
      // string, text, email, password, uid, richtext, enumeration, biginteger
      return text();
  }
}

const IDENTITY_ALIAS = '__wx_identity_';

/** A statement knex compiled once, with the positions its values go to. */
interface Statement {
  sql: string;
  bindings: readonly unknown[];
  /** For each binding, the name of the value that fills it, or null for a constant knex put there. */
  slots: Array<string | null>;
}

// A value that stands for a named slot while knex compiles a statement.
const SLOT_PREFIX = '\u0000wx-slot:';
const slot = (name: string) => `${SLOT_PREFIX}${name}`;

function compile(builder: Knex.QueryBuilder): Statement {
  const { sql, bindings } = builder.toSQL();
  const slots = bindings.map((value) => (typeof value === 'string' && value.startsWith(SLOT_PREFIX) ? value.slice(SLOT_PREFIX.length) : null));
  return { sql, bindings, slots };
}

/** The rows of a knex.raw() result, whatever the driver: pg answers { rows }, mysql2 [rows, fields], better-sqlite3 rows. */
function rowsOf(result: unknown): Row[] {
  if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as Row[];
  return (result as { rows?: Row[] }).rows ?? [];
}

export interface IdentityRow {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  sessionKey: string | null;
}

export interface IdentityLookup {
  identity: IdentityRow;
  /** The user the identity belongs to, as the query engine would answer it; null when the user was deleted. */
  user: Row | null;
}

export function createIdentitySql(knex: () => Knex, identity: ModelMetadata, user: ModelMetadata) {
  assertIdentitySqlAssumptions(identity, user);
  const col = (model: ModelMetadata, name: string) => model.attributes[name].columnName ?? name;
  const link = identity.attributes.user.joinTable!;
  const userColumns = Object.entries(user.columnToAttribute)
    .map(([column, attribute]) => ({ column, attribute, type: user.attributes[attribute]?.type }))
    .filter((c) => c.type && c.type !== 'relation' && c.type !== 'component' && c.type !== 'dynamiczone' && c.type !== 'media');
  const identityFields = {
    id: 'id',
    appId: col(identity, 'appId'),
    openid: col(identity, 'openid'),
    unionid: col(identity, 'unionid'),
    sessionKey: col(identity, 'sessionKey'),
  };

  // The two statements of every returning login are compiled by knex once, then only bound: building
  // and compiling the query was about as costly as running it (bench:steps).
  let findStatement: Statement | null = null;
  let unionidStatement: Statement | null = null;
  const sessionKeyStatements = new Map<number, Statement>();
  const userInfoStatements = new Map<number, Statement>();
  const run = (statement: Statement, values: Record<string, unknown>) =>
    knex().raw(statement.sql, statement.slots.map((slotName, i) => (slotName === null ? statement.bindings[i] : values[slotName])) as Knex.RawBinding[]);

  /** The model's attribute defaults, as the query engine's create applies them (Strapi 5: a new `documentId`, `publishedAt` now). */
  function defaultValues(): Row {
    const values: Row = {};
    for (const attribute of Object.values(identity.attributes)) {
      if (attribute.default === undefined || !attribute.columnName || attribute.type === 'relation') continue;
      values[attribute.columnName] = typeof attribute.default === 'function' ? (attribute.default as () => unknown)() : attribute.default;
    }
    return values;
  }

  function mapUser(row: Row): Row | null {
    if (row.id === null || row.id === undefined) return null;
    const out: Row = {};
    for (const { column, attribute, type } of userColumns) {
      if (column in row) out[attribute] = fromDB(type, row[column]);
    }
    return out;
  }

  /**
   * `UPDATE <model's table> SET column = CASE id WHEN … THEN … END, updated_at = now WHERE id IN (…)` for a batch
   * of id → value; each batch size is compiled once into `statements`.
   */
  async function storeByCase(
    operation: string,
    statements: Map<number, Statement>,
    model: ModelMetadata,
    column: string,
    batch: ReadonlyMap<number, unknown>,
    valuePlaceholder = '?'
  ): Promise<void> {
    const size = batch.size;
    if (size === 0) return;
    let statement = statements.get(size);
    if (!statement) {
      const indexes = [...Array(size).keys()];
      statement = compile(
        knex()(model.tableName)
          .whereIn(
            'id',
            indexes.map((i) => slot(`id${i}`))
          )
          .update({
            [column]: knex().raw(`CASE ?? ${`WHEN ? THEN ${valuePlaceholder} `.repeat(size)}END`, [
              'id',
              ...indexes.flatMap((i) => [slot(`id${i}`), slot(`value${i}`)]),
            ]),
            [col(model, 'updatedAt')]: slot('updatedAt'),
          })
      );
      statements.set(size, statement);
    }
    const values: Record<string, unknown> = { updatedAt: new Date() };
    let i = 0;
    for (const [id, value] of batch) {
      values[`id${i}`] = id;
      values[`value${i}`] = value;
      i += 1;
    }
    const compiled = statement;
    await databaseOperation(operation, () => run(compiled, values));
  }

  return {
    async find(appId: string, openid: string): Promise<IdentityLookup | null> {
      findStatement ??= compile(
        knex()
          .select(Object.fromEntries(Object.entries(identityFields).map(([field, column]) => [`${IDENTITY_ALIAS}${field}`, `i.${column}`])))
          .select(userColumns.map(({ column }) => `u.${column}`))
          .from({ i: identity.tableName })
          .leftJoin({ l: link.name }, `l.${link.joinColumn.name}`, `i.id`)
          .leftJoin({ u: user.tableName }, `u.${link.inverseJoinColumn.referencedColumn}`, `l.${link.inverseJoinColumn.name}`)
          .where({ [`i.${identityFields.appId}`]: slot('appId'), [`i.${identityFields.openid}`]: slot('openid') })
          // The oldest, should a database that could not get the unique index hold several (ensure-unique-indexes.ts).
          .orderBy('i.id')
          .limit(1)
      );
      const statement = findStatement;
      const row = rowsOf(await databaseOperation('identity-sql.find', () => run(statement, { appId, openid })))[0];
      if (!row) return null;
      const get = (field: keyof typeof identityFields) => row[`${IDENTITY_ALIAS}${field}`];
      return {
        identity: {
          id: Number(get('id')),
          appId: String(get('appId')),
          openid: String(get('openid')),
          unionid: (get('unionid') as string | null) ?? null,
          sessionKey: (get('sessionKey') as string | null) ?? null,
        },
        user: mapUser(row),
      };
    },

    /**
     * A brand-new user's first identity, inside the transaction that created the user: the identity
     * row and its link row (the user's first identity: position 1 in its list), where the query
     * engine's create would add a SELECT of what it just wrote and a max(order) lookup.
     */
    async insertFirstIdentity(
      trx: Knex.Transaction,
      useReturning: boolean,
      data: { appId: string; openid: string; unionid: string | null; sessionKey: string | null; userId: number }
    ): Promise<number> {
      const now = new Date();
      const row: Row = {
        ...defaultValues(),
        [identityFields.appId]: data.appId,
        [identityFields.openid]: data.openid,
        [identityFields.unionid]: data.unionid,
        [identityFields.sessionKey]: data.sessionKey,
        [col(identity, 'createdAt')]: now,
        [col(identity, 'updatedAt')]: now,
      };
      return databaseOperation('identity-sql.insertFirstIdentity', async () => {
        const table = trx<Row, Array<number | { id: number }>>(identity.tableName);
        const inserted = useReturning ? await table.insert(row, ['id']) : await table.insert(row);
        const first = inserted[0];
        const id = typeof first === 'object' ? first.id : first;
        const linkRow: Row = { [link.joinColumn.name]: id, [link.inverseJoinColumn.name]: data.userId };
        if (link.inverseOrderColumnName) linkRow[link.inverseOrderColumnName] = 1;
        await trx(link.name).insert(linkRow);
        return Number(id);
      });
    },

    /**
     * Deletes the identities no existing user holds (their user deleted by a version that left them,
     * or a deletion interrupted between the user and its identities). Returns how many.
     */
    async deleteWithoutUser(): Promise<number> {
      const db = knex();
      return databaseOperation('identity-sql.deleteWithoutUser', () =>
        db(identity.tableName)
          .whereNotExists(
            db
              .select(db.raw('1'))
              .from({ l: link.name })
              .innerJoin({ u: user.tableName }, `u.${link.inverseJoinColumn.referencedColumn}`, `l.${link.inverseJoinColumn.name}`)
              .where(`l.${link.joinColumn.name}`, db.ref(`${identity.tableName}.${link.joinColumn.referencedColumn}`))
          )
          .del()
      );
    },

    /** Stores a unionid WeChat now gives for an identity: one UPDATE. */
    async storeUnionid(identityId: number, unionid: string): Promise<void> {
      unionidStatement ??= compile(
        knex()(identity.tableName)
          .where({ id: slot('id') })
          .update({ [identityFields.unionid]: slot('unionid'), [col(identity, 'updatedAt')]: slot('updatedAt') })
      );
      const statement = unionidStatement;
      await databaseOperation('identity-sql.storeUnionid', () => run(statement, { id: identityId, unionid, updatedAt: new Date() }));
    },

    /**
     * The latest session key of several identities in one UPDATE (`CASE id WHEN … THEN … END`): one
     * statement, hence one commit, for a batch of logins (server/utils/group-commit.ts).
     */
    async storeSessionKeys(batch: ReadonlyMap<number, string>): Promise<void> {
      await storeByCase('identity-sql.storeSessionKeys', sessionKeyStatements, identity, identityFields.sessionKey, batch);
    },

    /** The latest `wechatUserInfo` of several users in one UPDATE, like the session keys (a batch of logins that sent a changed profile). */
    async storeUserInfos(batch: ReadonlyMap<number, Row>): Promise<void> {
      const json = new Map([...batch].map(([id, userInfo]) => [id, JSON.stringify(userInfo)]));
      // PostgreSQL will not put a text parameter into a jsonb column without a cast; the others take the text.
      const cast = (knex().client as { dialect?: string }).dialect === 'postgresql' ? 'CAST(? AS jsonb)' : '?';
      await storeByCase('identity-sql.storeUserInfos', userInfoStatements, user, col(user, 'wechatUserInfo'), json, cast);
    },
  };
}

export type IdentitySql = ReturnType<typeof createIdentitySql>;

/** How many identities each AppID has (the admin page shows it before an app is removed). */
export async function countIdentitiesByApp(knex: Knex, identity: ModelMetadata): Promise<Record<string, number>> {
  const appIdColumn = identity.attributes.appId.columnName ?? 'app_id';
  const rows: Array<{ appId: string; count: number | string }> = await databaseOperation('identity-sql.countIdentitiesByApp', async () =>
    knex(identity.tableName).select({ appId: appIdColumn }).count({ count: '*' }).groupBy(appIdColumn)
  );
  return Object.fromEntries(rows.map((row) => [row.appId, Number(row.count)]));
}
