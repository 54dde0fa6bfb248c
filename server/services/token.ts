import type { Strapi } from '../types';
import { usersPermissions, type SessionClient } from '../strapi';
import { createJwtSigner, SHORTCUT_NAME, stockIssue, type JwtSigner } from '../strapi/shortcuts/jwt-sign';

/** Issues the users-permissions JWT for a user (the token every Strapi API accepts). */
export default ({ strapi }: { strapi: Strapi }) => {
  let signer: JwtSigner | null = null;
  const current = () => (signer ??= createJwtSigner(strapi, usersPermissions.jwtService(strapi), () => usersPermissions.jwtConfig(strapi)));
  return {
    /**
     * The token a users-permissions login answers with: the JWT (v4, and v5's default
     * 'legacy-support'), or on v5 with jwtManagement 'refresh' an access token and the refresh token
     * of a new session, made by users-permissions' session manager as its own login makes them.
     */
    async issue(userId: number | string, client: SessionClient = {}): Promise<{ token: string; refreshToken?: string }> {
      if (usersPermissions.jwtManagement(strapi) === 'refresh') {
        const { accessToken, refreshToken } = await usersPermissions.issueSession(strapi, userId, client);
        return { token: accessToken, refreshToken };
      }
      return { token: current().sign({ id: userId }) };
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
