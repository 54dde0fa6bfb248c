import type { Strapi } from './types';
import { extendContentType, pluginConfigObject, useAppMiddleware } from './strapi';
import { createMultipartGuard } from './middlewares/multipart-guard';
import { unknownConfigKeys } from './config';
import { unknownKeyMessage } from './config/unknown-keys';
import { userAttributes } from './content-types/user-attributes';
import { registerGraphql } from './graphql';
import { USER_UID } from './utils/plugin-id';

export default ({ strapi }: { strapi: Strapi }) => {
  // What the validator let through (strictConfig off): said once per start, key paths only, never a value.
  for (const key of unknownConfigKeys(pluginConfigObject(strapi))) strapi.log.warn(`[wechat-auth] ${unknownKeyMessage(key)}: ignored`);
  // Here, not in bootstrap: the schema is synced to the database between the two.
  extendContentType(strapi, USER_UID, userAttributes);
  registerGraphql(strapi);
  // Here, not in bootstrap: added now, it runs before the app's own middlewares (strapi::body).
  useAppMiddleware(strapi, createMultipartGuard(strapi));
};
