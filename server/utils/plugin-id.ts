export const PLUGIN_ID = 'strapi-wechat-miniprogram-auth';
export const USER_UID = 'plugin::users-permissions.user';
export const ROLE_UID = 'plugin::users-permissions.role';
/** The users-permissions `provider` of accounts this plugin creates. */
export const PROVIDER = 'wechat-miniprogram';
