import type { Strapi } from './types';
import { getService } from './utils/get-service';

export default async ({ strapi }: { strapi: Strapi }) => {
  getService(strapi, 'wechat').close();
  getService(strapi, 'qrLogins').stop();
  await getService(strapi, 'rateLimits').close();
  // The counts since the last flush, before the database connection closes.
  await getService(strapi, 'activity').stop();
};
