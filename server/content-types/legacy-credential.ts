/**
 * The single type in which version 0.0.5 of this plugin (same npm name) kept the AppID/AppSecret,
 * declared again with its original schema so that Strapi keeps its table (a content type that
 * disappears has its table dropped at the next start) and the credentials can be imported
 * (server/upgrade). Hidden everywhere; the plugin only reads it. Strapi 4 ignores `info.tableName`:
 * the table 0.0.5 really got is `strapi-wechat-miniprogram-auth_wx-credential`.
 */
export const legacyCredentialSchema = {
  kind: 'singleType',
  info: {
    displayName: 'WeChat Credentials',
    singularName: 'wx-credential',
    pluralName: 'wx-credentials',
    description: 'Stores WeChat Mini program credentials (version 0.0.5; imported, no longer used)',
    tableName: 'wechat_auth_creds',
  },
  options: {
    privateAttributes: ['id', 'created_at'],
    populateCreatorFields: true,
    draftAndPublish: true,
  },
  pluginOptions: {
    'content-manager': { visible: false },
    'content-type-builder': { visible: false },
  },
  attributes: {
    app_id: { type: 'string', configurable: true, required: true, default: null },
    // Private: a real AppSecret (a flag of the content type, not of its column: the table stays as 0.0.5 made it).
    app_secret: { type: 'string', private: true, configurable: true, required: true, default: null },
  },
};
