/** The `env` helper Strapi passes to config files (the parts these configs use). */
export interface Env {
  (key: string): string | undefined;
  (key: string, fallback: string): string;
  int(key: string, fallback?: number): number;
  bool(key: string, fallback?: boolean): boolean;
  json<T = unknown>(key: string, fallback?: T): T;
  array(key: string, fallback?: string[]): string[];
}
