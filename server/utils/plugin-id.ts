export const PLUGIN_ID = 'strapi-wechat-miniprogram-auth';
export const USER_UID = 'plugin::users-permissions.user';
export const ROLE_UID = 'plugin::users-permissions.role';
/** Strapi's core store: every plugin store row, users-permissions' Advanced settings among them. */
export const CORE_STORE_UID = 'strapi::core-store';
export const PERMISSION_UID = 'plugin::users-permissions.permission';
export const IDENTITY_UID = `plugin::${PLUGIN_ID}.identity`;
export const LEGACY_CREDENTIAL_UID = `plugin::${PLUGIN_ID}.wx-credential`;
/** The users-permissions `provider` of accounts this plugin creates. */
export const PROVIDER = 'wechat-miniprogram';
