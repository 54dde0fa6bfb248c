/**
 * The seam between the plugin and Strapi (4 and 5): every call into Strapi, users-permissions and
 * the database layer that the services make goes through here, with its types, so the services
 * read as plain TypeScript and are the same on both majors (`strapiMajor` chooses where they differ).
 * The shortcuts into other packages' internals live in ./shortcuts, each with its reason.
 */
import * as utils from '@strapi/utils';
import { errors, sanitize } from '@strapi/utils';
import type { Knex } from 'knex';
import type { Context, Next } from 'koa';
import type { PluginConfig } from '../types';
import { PLUGIN_ID, ROLE_UID, USER_UID } from '../utils/plugin-id';
import { databaseOperation } from './database-error';
import type { IndexInfo, LifecycleHook, ModelMetadata, QueryEngine, Row, Strapi } from './types';

export type { Strapi, QueryEngine, Row, ModelMetadata };
export { errors };
export { DatabaseOperationError, databaseOperation, isUniqueViolation } from './database-error';
export { FILE_UID, mediaLibrary, uploadedPart, uploadPluginSharp, type LocalFile, type MediaFile, type MediaFormat } from './upload';
export * from './graphql';

/**
 * Which Strapi major runs the plugin: 5 has the Document Service (`strapi.documents`). Each
 * difference between the two is handled here, in the seam, so the services are the same on both.
 */
export function strapiMajor(strapi: Strapi): 4 | 5 {
  return typeof (strapi as unknown as { documents?: unknown }).documents === 'function' ? 5 : 4;
}

/** A users-permissions config key: `plugin.users-permissions.x` on v4, `plugin::users-permissions.x` on v5 (the v4 form warns there). */
const usersPermissionsConfig = <T>(strapi: Strapi, key: string): T =>
  strapi.config.get<T>(`${strapiMajor(strapi) === 5 ? 'plugin::' : 'plugin.'}users-permissions.${key}`);

/** Who a v5 refresh session is for: the device (from the login body) and the user agent (session metadata). */
export interface SessionClient {
  deviceId?: string;
  userAgent?: string;
}

interface SessionManagerV5 {
  generateRefreshToken(userId: string, deviceId: string | undefined, options: Record<string, unknown>): Promise<{ token: string }>;
  generateAccessToken(refreshToken: string): Promise<{ token: string } | { error: string }>;
}

interface RefreshSessionsConfig {
  httpOnly?: boolean;
  cookie?: { name?: string; secure?: boolean; sameSite?: string; path?: string; domain?: string; maxAge?: number };
}

interface ContentApiV5 {
  sanitize: { output(data: unknown, schema: unknown, options: { auth: unknown }): Promise<unknown> };
}

const db = (strapi: Strapi) => {
  if (!strapi.db) throw new Error('[wechat-auth] the database is not initialised yet');
  return strapi.db;
};

/** The plugin's whole config object, as validated at startup (`plugin.<id>` on v4, `plugin::<id>` on v5). */
export function pluginConfigObject(strapi: Strapi): Record<string, unknown> {
  const value: unknown = strapi.config.get(`${strapiMajor(strapi) === 5 ? 'plugin::' : 'plugin.'}${PLUGIN_ID}`);
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** The plugin's config, as validated at startup. */
export function pluginConfig<K extends keyof PluginConfig>(strapi: Strapi, key: K): PluginConfig[K] {
  const value: unknown = strapi.plugin(PLUGIN_ID).config(key);
  return value as PluginConfig[K];
}

const guardedEngines = new WeakMap<object, QueryEngine<unknown>>();

/** The query engine of `uid`, whose failures carry the operation and the driver's code, never the values (./database-error.ts). */
export function query<T = Row>(strapi: Strapi, uid: string): QueryEngine<T> {
  const engine = db(strapi).query(uid) as unknown as QueryEngine<T>;
  let guarded = guardedEngines.get(engine) as QueryEngine<T> | undefined;
  if (!guarded) {
    guarded = {
      findOne: (params) => databaseOperation(`${uid}.findOne`, () => engine.findOne(params)),
      findMany: (params) => databaseOperation(`${uid}.findMany`, () => engine.findMany(params)),
      count: (params) => databaseOperation(`${uid}.count`, () => engine.count(params)),
      create: (params) => databaseOperation(`${uid}.create`, () => engine.create(params)),
      update: (params) => databaseOperation(`${uid}.update`, () => engine.update(params)),
      updateMany: (params) => databaseOperation(`${uid}.updateMany`, () => engine.updateMany(params)),
      delete: (params) => databaseOperation(`${uid}.delete`, () => engine.delete(params)),
      deleteMany: (params) => databaseOperation(`${uid}.deleteMany`, () => engine.deleteMany(params)),
    };
    guardedEngines.set(engine, guarded);
  }
  return guarded;
}

/**
 * Runs `work` in one database transaction (Strapi's query engine calls inside it join it; knex calls
 * use `trx`). The plugin's own errors thrown by `work` pass through; a database failure (the commit's
 * included) leaves as a DatabaseOperationError.
 */
export function transaction<T>(strapi: Strapi, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return databaseOperation('transaction', () => db(strapi).transaction(({ trx }: { trx: Knex.Transaction }) => work(trx)) as Promise<T>);
}

/** Whether inserts must ask for the new id with RETURNING (PostgreSQL, SQLite) or get it as the insert's result (MySQL). */
export function dialectUsesReturning(strapi: Strapi): boolean {
  return (db(strapi) as unknown as { dialect: { useReturning(): boolean } }).dialect.useReturning();
}

/** The knex instance of the app's database, for the shortcuts and schema work. */
export function knex(strapi: Strapi): Knex {
  return db(strapi).connection;
}

export function modelMetadata(strapi: Strapi, uid: string): ModelMetadata {
  return db(strapi).metadata.get(uid) as unknown as ModelMetadata;
}

export function hasModel(strapi: Strapi, uid: string): boolean {
  return db(strapi).metadata.has(uid);
}

export function tableIndexes(strapi: Strapi, table: string): Promise<IndexInfo[]> {
  const inspector = (db(strapi) as unknown as { dialect: { schemaInspector: { getIndexes(t: string): Promise<IndexInfo[]> } } }).dialect.schemaInspector;
  return inspector.getIndexes(table);
}

export function hasTable(strapi: Strapi, table: string): Promise<boolean> {
  return knex(strapi).schema.hasTable(table);
}

/** Raised when a compare-and-set on a plugin store row kept losing to other writers. */
export class StoreConflictError extends Error {
  constructor(key: string) {
    super(`[wechat-auth] the plugin store value "${key}" kept changing under this write: try again`);
    this.name = 'StoreConflictError';
  }
}

const CORE_STORE_UID = 'strapi::core-store';
const STORE_UPDATE_ATTEMPTS = 20;

interface CoreStoreRow {
  id: number;
  value: string | null;
}

/** The plugin store (a row per key in strapi_core_store_settings, shared by every instance). */
export function pluginStore(strapi: Strapi, name: string = PLUGIN_ID) {
  const store = () => {
    if (!strapi.store) throw new Error('[wechat-auth] the store is not initialised yet');
    return strapi.store({ type: 'plugin', name });
  };
  // The row Strapi's store reads and writes for `key` (its own `get`/`set` use the same where).
  const rowWhere = (key: string) => ({ key: `plugin_${name}_${key}`, environment: null, tag: null });
  const rows = () => query<CoreStoreRow>(strapi, CORE_STORE_UID);
  const firstRow = (key: string) => rows().findOne({ where: rowWhere(key), select: ['id', 'value'], orderBy: { id: 'asc' } });
  return {
    async get<T>(key: string): Promise<T | null> {
      const settings = store();
      return ((await databaseOperation(`store ${name}.${key} get`, () => settings.get({ key }))) as T | undefined) ?? null;
    },
    async set(key: string, value: unknown): Promise<void> {
      const settings = store();
      await databaseOperation(`store ${name}.${key} set`, () => settings.set({ key, value }));
    },
    /**
     * Read-modify-write of an object value that several instances may write at once: `change`
     * gets the value as read and returns the next one, which is written only if the row still holds
     * what was read (an update ... where value = <as read>); otherwise `change` runs again on what
     * the other writer left. An error thrown by `change` ends the update with nothing written.
     */
    async update<T>(key: string, change: (value: T | null) => object | Promise<object>): Promise<void> {
      for (let attempt = 0; attempt < STORE_UPDATE_ATTEMPTS; attempt++) {
        if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        const row = await firstRow(key);
        const next = JSON.stringify(await change(row?.value ? (JSON.parse(row.value) as T) : null));
        if (row) {
          const { count } = await rows().updateMany({ where: { id: row.id, value: row.value }, data: { value: next, type: 'object' } });
          if (count) return;
          continue;
        }
        // The first write of the key: of two instances creating it at once, the row with the lowest id
        // stays; the other is removed and its change made again on that row.
        const created = await rows().create({ data: { ...rowWhere(key), value: next, type: 'object' } });
        if ((await firstRow(key))?.id === created.id) return;
        await rows().delete({ where: { id: created.id } });
      }
      throw new StoreConflictError(key);
    },
  };
}

/** users-permissions' Advanced settings (Settings → Users & Permissions → Advanced settings). */
export interface AdvancedSettings {
  allow_register?: boolean;
  default_role?: string;
}

export const usersPermissions = {
  advancedSettings: async (strapi: Strapi): Promise<AdvancedSettings> =>
    (await pluginStore(strapi, 'users-permissions').get<AdvancedSettings>('advanced')) ?? {},

  roleByType: (strapi: Strapi, type: string) => query<{ id: number }>(strapi, ROLE_UID).findOne({ where: { type } }),

  /**
   * Creates the Authenticated and Public roles when there are none, and the default permissions
   * when there are none (then removes permissions of actions no controller has any more): what
   * users-permissions' bootstrap does. Idempotent; its bootstrap runs it again.
   */
  initialize: (strapi: Strapi): Promise<void> => strapi.plugin('users-permissions').service<{ initialize(): Promise<void> }>('users-permissions').initialize(),

  jwtConfig(strapi: Strapi): { secret: string; options: Record<string, unknown> } {
    return {
      secret: usersPermissionsConfig<string>(strapi, 'jwtSecret'),
      options: usersPermissionsConfig<Record<string, unknown> | undefined>(strapi, 'jwt') ?? {},
    };
  },

  /** v5's `jwtManagement`: 'legacy-support' (the default, long-lived JWTs as on v4) or 'refresh' (sessions with refresh tokens). */
  jwtManagement(strapi: Strapi): 'legacy-support' | 'refresh' {
    if (strapiMajor(strapi) === 4) return 'legacy-support';
    return usersPermissionsConfig<string | undefined>(strapi, 'jwtManagement') === 'refresh' ? 'refresh' : 'legacy-support';
  },

  /** v5, jwtManagement 'refresh': a new session and its first access token (users-permissions' `sendRefreshAuthResponse`). */
  async issueSession(strapi: Strapi, userId: number | string, { deviceId, userAgent }: SessionClient): Promise<{ accessToken: string; refreshToken: string }> {
    const manager = (strapi as unknown as { sessionManager(origin: string): SessionManagerV5 }).sessionManager('users-permissions');
    const buildMetadata = (utils as unknown as { buildSessionMetadata?: (input: { userAgent?: string }) => unknown }).buildSessionMetadata;
    const metadata = buildMetadata?.({ userAgent });
    const refresh = await manager.generateRefreshToken(String(userId), deviceId, { type: 'refresh', ...(metadata ? { metadata } : {}) });
    const access = await manager.generateAccessToken(refresh.token);
    if ('error' in access) throw new errors.ApplicationError('Invalid credentials');
    return { accessToken: access.token, refreshToken: refresh.token };
  },

  /**
   * v5, jwtManagement 'refresh': where users-permissions puts the refresh token of a login: in its
   * httpOnly cookie when `sessions.httpOnly` is set or the request asks for it
   * (`x-strapi-refresh-cookie: httpOnly`), else (null) in the body.
   */
  refreshCookie(strapi: Strapi, requestHeader: string | undefined): { name: string; options: Record<string, unknown> } | null {
    const sessions = usersPermissionsConfig<RefreshSessionsConfig | undefined>(strapi, 'sessions');
    if (!sessions?.httpOnly && requestHeader !== 'httpOnly') return null;
    const cookie = sessions?.cookie ?? {};
    return {
      name: cookie.name || 'strapi_up_refresh',
      options: {
        httpOnly: true,
        secure: typeof cookie.secure === 'boolean' ? cookie.secure : environment(strapi) === 'production',
        sameSite: cookie.sameSite ?? 'lax',
        path: cookie.path ?? '/',
        domain: cookie.domain,
        maxAge: cookie.maxAge,
        overwrite: true,
      },
    };
  },

  /** users-permissions' jwt service, whose `issue` the app may have replaced in src/extensions. */
  jwtService: (strapi: Strapi) => strapi.plugin('users-permissions').service<{ issue(payload: object): string }>('jwt'),

  /** Output sanitizing as users-permissions' own auth controller does it (drops private fields). */
  async sanitizeUser(strapi: Strapi, user: Row, auth: unknown): Promise<Row> {
    const model = strapi.getModel(USER_UID as never);
    // v5 moved the content-API sanitizers from @strapi/utils onto the instance.
    const contentApi = (strapi as unknown as { contentAPI?: ContentApiV5 }).contentAPI;
    if (strapiMajor(strapi) === 5 && contentApi) return (await contentApi.sanitize.output(user, model, { auth })) as Row;
    return (await sanitize.contentAPI.output(user, model, { auth })) as Row;
  },
};

/** Adds attributes to a content type; only in register(), before the schema is synced. */
export function extendContentType(strapi: Strapi, uid: string, attributes: Record<string, unknown>): void {
  const contentType = strapi.contentType(uid as never) as unknown as { attributes: Record<string, unknown> };
  Object.assign(contentType.attributes, attributes);
}

export function subscribeLifecycles(strapi: Strapi, models: string[], hooks: Record<string, LifecycleHook>): void {
  db(strapi).lifecycles.subscribe({ models, ...hooks });
}

/** Admin RBAC actions (Settings → Administration panel → Roles → Plugins). */
export async function registerAdminActions(strapi: Strapi, actions: Row[]): Promise<void> {
  const provider = (strapi.admin as unknown as { services: { permission: { actionProvider: { registerMany(a: Row[]): Promise<void> } } } }).services.permission
    .actionProvider;
  await provider.registerMany(actions);
}

/**
 * Adds a koa middleware to the app itself. Called in register(), it runs ahead of every middleware of
 * the app's config/middlewares (strapi::errors, strapi::body…), which Strapi adds during bootstrap.
 */
export function useAppMiddleware(strapi: Strapi, middleware: (ctx: Context, next: Next) => Promise<void>): void {
  (strapi.server as unknown as { use(middleware: (ctx: Context, next: Next) => Promise<void>): unknown }).use(middleware);
}

/** Where the content API is served ('/api' unless config/api's rest.prefix says otherwise). */
export function restApiPrefix(strapi: Strapi): string {
  return String(strapi.config.get('api.rest.prefix', '/api') ?? '/api').replace(/\/+$/, '');
}

/** 'development', 'production', ...: NODE_ENV as Strapi read it at startup. */
export function environment(strapi: Strapi): string {
  return String(strapi.config.get('environment', 'development') ?? 'development');
}

/**
 * The secrets every Strapi app has, from which the plugin derives its key for the secrets at rest
 * when none is configured: Strapi 5's `admin.secrets.encryptionKey` (ENCRYPTION_KEY; Strapi 4 has
 * none) and the app's keys (`server.app.keys`, APP_KEYS, Strapi 4 and 5).
 */
export function appSecrets(strapi: Strapi): { encryptionKey: unknown; appKeys: unknown } {
  return { encryptionKey: strapi.config.get('admin.secrets.encryptionKey'), appKeys: strapi.config.get('server.app.keys') };
}

export function serverUrl(strapi: Strapi): string {
  return String(strapi.config.get('server.url', '') ?? '');
}
