/**
 * Attributes this plugin adds to the users-permissions User (in register(), before the schema
 * is synced). They replace same-named attributes an app added by hand, as the original plugin's
 * README told people to do, so those apps keep their data and gain the unique index.
 *
 * The identity fields are private (kept out of sanitized output and out of
 * /api/auth/local/register) and not writable (the Content Manager shows them read-only); the
 * identity guard also strips them from every write this plugin does not make itself.
 */
export const IDENTITY_FIELDS = ['openid', 'unionid', 'wechatSessionKey'] as const;

export const userAttributes = {
  openid: {
    type: 'string',
    private: true,
    writable: false,
    configurable: false,
    // A real unique index: `unique: true` alone is only checked by the entity validator.
    column: { unique: true },
  },
  unionid: {
    type: 'string',
    private: true,
    writable: false,
    configurable: false,
  },
  wechatSessionKey: {
    type: 'string',
    private: true,
    writable: false,
    configurable: false,
    searchable: false,
  },
  wechatUserInfo: {
    type: 'json',
    configurable: false,
  },
} as const;
