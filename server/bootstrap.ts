import type { Strapi } from './types';
import { registerIdentityGuard } from './lifecycles/identity-guard';
import { registerAdminActions } from './utils/admin-actions';

export default async ({ strapi }: { strapi: Strapi }) => {
  registerIdentityGuard(strapi);
  await registerAdminActions(strapi);
};
