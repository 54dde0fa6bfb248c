import type { Strapi } from './types';
import { registerIdentityGuard } from './lifecycles/identity-guard';
import { registerUserDeletion } from './lifecycles/user-deletion';
import { registerAdminActions } from './utils/admin-actions';
import { ensureUniqueIndexes } from './content-types/ensure-unique-indexes';
import { getService } from './utils/get-service';
import { grantDefaultPermissions } from './content-api-permissions';

export default async ({ strapi }: { strapi: Strapi }) => {
  registerIdentityGuard(strapi);
  registerUserDeletion(strapi);
  getService(strapi, 'signUpSettings').watch();
  await ensureUniqueIndexes(strapi);
  getService(strapi, 'identities').checkShortcut();
  getService(strapi, 'token').checkShortcut();
  // Data left by 0.0.5 and 1.0: settings shape, credentials, accounts.
  await getService(strapi, 'upgrade').run();
  // AppSecrets, access tokens and session keys sealed under the current encryption key.
  await getService(strapi, 'secretsAtRest').run();
  await registerAdminActions(strapi);
  // Users & Permissions: the phone route's action to Authenticated, once.
  await grantDefaultPermissions(strapi);
  // The rate limits' counter store: a configured Redis is connected before the first request.
  await getService(strapi, 'rateLimits').start();
  // Login activity: counted in memory from the first login on, flushed on a timer.
  getService(strapi, 'activity').start();
  // QR login tickets: the expired ones deleted now and every minute.
  await getService(strapi, 'qrLogins').start();
};
