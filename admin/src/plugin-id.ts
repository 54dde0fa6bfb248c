export const PLUGIN_ID = 'strapi-wechat-miniprogram-auth';
export const PLUGIN_NAME = 'WeChat Mini Program Authenticator';
