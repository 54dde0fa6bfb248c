import type { Strapi } from './types';
import { extendContentType } from './strapi';
import { userAttributes } from './content-types/user-attributes';
import { registerGraphql } from './graphql';
import { USER_UID } from './utils/plugin-id';

export default ({ strapi }: { strapi: Strapi }) => {
  // Here, not in bootstrap: the schema is synced to the database between the two.
  extendContentType(strapi, USER_UID, userAttributes);
  registerGraphql(strapi);
};
