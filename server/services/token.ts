import type { Strapi } from '../types';
import { usersPermissions } from '../strapi';
import { createJwtSigner, SHORTCUT_NAME, stockIssue, type JwtSigner } from '../strapi/shortcuts/jwt-sign';

/** Issues the users-permissions JWT for a user (the token every Strapi API accepts). */
export default ({ strapi }: { strapi: Strapi }) => {
  let signer: JwtSigner | null = null;
  const current = () => (signer ??= createJwtSigner(strapi, usersPermissions.jwtService(strapi), () => usersPermissions.jwtConfig(strapi)));
  return {
    issue(userId: number | string): string {
      return current().sign({ id: userId });
    },

    /** Bootstrap: warns, naming the shortcut, when users-permissions' stock issue can no longer be recognised. */
    checkShortcut(): void {
      if (!stockIssue(strapi)) {
        strapi.log.warn(
          `[wechat-auth] the ${SHORTCUT_NAME} shortcut cannot find users-permissions' jwt service source: tokens are issued through jwt.issue (slower)`
        );
      }
    },
  };
};
