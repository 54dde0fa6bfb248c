import { createSecretKey, type KeyObject } from 'crypto';
import jwt from 'jsonwebtoken';
import path from 'path';
import type { Strapi } from '../types';

type Issue = (payload: object, options?: jwt.SignOptions) => string;

/**
 * Issues the users-permissions JWT for a user: the same payload (`{ id }`), secret and options
 * as users-permissions' own `jwt.issue`, so the token is byte for byte the one it would issue.
 *
 * Why not call `jwt.issue` itself: it hands jsonwebtoken the secret as a string, and jsonwebtoken 9
 * then tries `createPrivateKey(secret)` first, which throws (the secret is no PEM key) before it
 * falls back to a secret key. That failed parse was the largest single cost of a returning login.
 * Here the secret becomes a KeyObject once. If an app has replaced users-permissions' `issue`
 * (src/extensions), its own function is used instead, unchanged.
 */
export default ({ strapi }: { strapi: Strapi }) => {
  let key: { secret: string; object: KeyObject } | null = null;

  const usersPermissionsJwt = () => strapi.plugin('users-permissions').service('jwt') as { issue: Issue };

  function secretKey(): KeyObject {
    const secret = strapi.config.get('plugin.users-permissions.jwtSecret') as string;
    if (!key || key.secret !== secret) key = { secret, object: createSecretKey(Buffer.from(secret)) };
    return key.object;
  }

  const isStockIssue = (issue: Issue) => issue.toString() === stockIssue(strapi)?.toString();
  let customIssue: boolean | null = null;

  return {
    issue(userId: number | string): string {
      customIssue ??= !isStockIssue(usersPermissionsJwt().issue);
      if (customIssue) return usersPermissionsJwt().issue({ id: userId });
      const options = (strapi.config.get('plugin.users-permissions.jwt') ?? {}) as jwt.SignOptions;
      return jwt.sign({ id: userId }, secretKey(), { ...options });
    },
  };
};

/** users-permissions' own `issue`, from its source file (its package exports no such subpath); null if it moved. */
function stockIssue(strapi: Strapi): Issue | null {
  try {
    const packageDir = path.dirname(require.resolve('@strapi/plugin-users-permissions/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const factory = require(path.join(packageDir, 'server', 'services', 'jwt.js')) as (context: { strapi: Strapi }) => { issue: Issue };
    return factory({ strapi }).issue;
  } catch {
    return null;
  }
}
