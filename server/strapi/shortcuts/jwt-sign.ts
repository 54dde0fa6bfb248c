/**
 * Shortcut: sign the users-permissions JWT ourselves instead of calling its `jwt.issue`.
 *
 * Why: `issue` hands jsonwebtoken the secret as a string, and jsonwebtoken 9 first tries
 * `createPrivateKey(secret)`, which throws (the secret is no PEM key) before it falls back to a
 * secret key: ~0.4 ms of CPU per token, the largest single cost of a returning login in
 * `npm run bench:steps` (~0.02 ms with a KeyObject made once). The token is byte for byte the one
 * `issue({ id })` makes: same payload, secret and options.
 *
 * Assumption: users-permissions' stock `issue` lives in `server/services/jwt.js` of its package
 * (4.x) or `dist/server/services/jwt.js` (5.x; only used in its default jwtManagement,
 * 'legacy-support': in 'refresh' mode tokens come from its session manager). An app that replaced `issue` (src/extensions) keeps its own function: we compare the
 * function in use with the stock one. If the stock file moves, `stockIssueSource` answers null,
 * every token goes through `issue` (correct, slower), bootstrap warns naming this shortcut, and
 * tests/seam.test.ts fails.
 */
import { createSecretKey, type KeyObject } from 'crypto';
import jwt from 'jsonwebtoken';
import path from 'path';
import type { Strapi } from '../types';

export const SHORTCUT_NAME = 'jwt-sign (server/strapi/shortcuts/jwt-sign.ts)';

type Issue = (payload: object, options?: jwt.SignOptions) => string;

/** users-permissions' own `issue`, read from its source file (its package exports no such subpath); null if it moved. */
export function stockIssue(strapi: Strapi): Issue | null {
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve('@strapi/plugin-users-permissions/package.json'));
  } catch {
    return null;
  }
  // 4.x: the source file exports the service factory; 5.x: the built file exports { __require } returning it.
  for (const file of [path.join(packageDir, 'server', 'services', 'jwt.js'), path.join(packageDir, 'dist', 'server', 'services', 'jwt.js')]) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path only known at run time
      const exported = require(file) as ServiceFactory | { __require?: () => ServiceFactory };
      const factory = typeof exported === 'function' ? exported : exported.__require?.();
      if (typeof factory === 'function') return factory({ strapi }).issue;
    } catch {
      // not this layout
    }
  }
  return null;
}

type ServiceFactory = (context: { strapi: Strapi }) => { issue: Issue };

export interface JwtSigner {
  /** True when the shortcut is in use (stock `issue` recognised). */
  readonly fast: boolean;
  sign(payload: { id: number | string }): string;
}

/**
 * Made once per Strapi instance (the first login): `service` is users-permissions' jwt service as
 * the app has it, `config()` the secret and options its `issue` would use.
 */
export function createJwtSigner(strapi: Strapi, service: { issue: Issue }, config: () => { secret: string; options: Record<string, unknown> }): JwtSigner {
  const stock = stockIssue(strapi);
  const fast = stock !== null && service.issue.toString() === stock.toString();
  let key: { secret: string; object: KeyObject } | null = null;
  const secretKey = (secret: string) => {
    if (!key || key.secret !== secret) key = { secret, object: createSecretKey(Buffer.from(secret)) };
    return key.object;
  };
  return {
    fast,
    sign(payload) {
      if (!fast) return service.issue(payload);
      const { secret, options } = config();
      return jwt.sign({ ...payload }, secretKey(secret), { ...(options as jwt.SignOptions) });
    },
  };
}
