import type { Strapi } from './types';
import { registerIdentityGuard } from './lifecycles/identity-guard';
import { registerAdminActions } from './utils/admin-actions';
import { ensureOpenidIndex } from './content-types/ensure-openid-index';

export default async ({ strapi }: { strapi: Strapi }) => {
  registerIdentityGuard(strapi);
  await ensureOpenidIndex(strapi);
  await registerAdminActions(strapi);
};
