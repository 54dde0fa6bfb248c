/**
 * The types of the Strapi 4 objects this plugin touches, narrowed to what it uses. Only the seam
 * (server/strapi/) imports from @strapi packages' typings; the services see these interfaces.
 */
import type { Strapi as StrapiInstance } from '@strapi/strapi';

export type Strapi = StrapiInstance;

export type Row = Record<string, unknown>;

/** The query engine (`strapi.db.query(uid)`) as the plugin calls it. */
export interface QueryEngine<T> {
  findOne(params: { where?: Row; select?: string[]; populate?: unknown; orderBy?: unknown }): Promise<T | null>;
  findMany(params: { where?: Row; select?: string[]; limit?: number; orderBy?: unknown }): Promise<T[]>;
  count(params?: { where?: Row }): Promise<number>;
  create(params: { data: Row }): Promise<T>;
  update(params: { where: Row; data: Row }): Promise<T | null>;
  updateMany(params: { where: Row; data: Row }): Promise<{ count: number }>;
  delete(params: { where: Row }): Promise<T | null>;
}

export interface LifecycleEvent {
  action: string;
  model: { uid: string };
  params: { data?: Row | Row[]; where?: Row };
}

export type LifecycleHook = (event: LifecycleEvent) => void | Promise<void>;

export interface AttributeMetadata {
  type: string;
  columnName?: string;
  /** A value or a function giving one, applied by the query engine on create (v5: `documentId`, `publishedAt`). */
  default?: unknown;
  joinTable?: {
    name: string;
    /** The position of the row in the inverse side's list (manyToOne with an inverse oneToMany). */
    inverseOrderColumnName?: string;
    joinColumn: { name: string; referencedColumn: string };
    inverseJoinColumn: { name: string; referencedColumn: string };
  };
}

/** `strapi.db.metadata.get(uid)`: how a model maps to tables and columns. */
export interface ModelMetadata {
  uid: string;
  tableName: string;
  attributes: Record<string, AttributeMetadata>;
  columnToAttribute: Record<string, string>;
}

export interface IndexInfo {
  name: string;
  columns: string[];
  type?: string | null;
}
