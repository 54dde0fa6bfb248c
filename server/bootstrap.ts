import type { Strapi } from './types';
import { registerIdentityGuard } from './lifecycles/identity-guard';

export default async ({ strapi }: { strapi: Strapi }) => {
  registerIdentityGuard(strapi);
};
