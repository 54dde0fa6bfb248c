import type { Strapi } from './types';
import { userAttributes } from './content-types/user-attributes';
import { USER_UID } from './utils/plugin-id';

export default ({ strapi }: { strapi: Strapi }) => {
  // Here, not in bootstrap: the schema is synced to the database between the two.
  const user = strapi.contentType(USER_UID as never) as unknown as { attributes: Record<string, unknown> };
  Object.assign(user.attributes, userAttributes);
};
