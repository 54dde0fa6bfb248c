import { IDENTITY_UID } from '../utils/plugin-id';

/**
 * Attributes this plugin adds to the users-permissions User (in register(), before the schema
 * is synced). They replace same-named attributes an app added by hand, as the original plugin's
 * README told people to do, so those apps keep their data.
 *
 * - `wechatIdentities`: the user's openid in each mini program (server/content-types/identity.ts).
 * - `unionid`: the unionid the user is linked by across apps; a real unique index makes one user
 *   per unionid.
 * - `openid`, `wechatSessionKey`: where 0.0.5 and 1.0 kept the one app's openid and session key.
 *   Kept (removing an attribute drops its column) and copied into identities at startup; new
 *   logins no longer write them. `openid` has no unique index: nothing writes it any more, and
 *   0.0.5 could leave several accounts with one openid, over which Strapi could not create one
 *   (startup would fail; server/services/upgrade.ts picks the account such a person logs in to).
 *
 * - `phoneNumber`, `purePhoneNumber`, `phoneCountryCode`, `phoneVerifiedAt`: the number WeChat
 *   vouched for (getuserphonenumber), stored by POST /api/strapi-wechat-miniprogram-auth/phone or a
 *   login with `phoneCode`, and when. Two accounts may hold the same number (never merged by it).
 *
 * - `wechatNickname`, `wechatAvatar`: the profile set through PUT /api/strapi-wechat-miniprogram-auth/profile
 *   (the nickname checked, with content security when configured; the avatar a Media Library image
 *   whose content was checked). Public, so an app can show them (populate the avatar), but not
 *   writable and guarded like the fields above: any other route could bypass those checks. The
 *   login's `userInfo` goes to `wechatUserInfo` and never touches them.
 *
 * All private (kept out of sanitized output and out of /api/auth/local/register) but the profile
 * fields, and all not writable (the Content Manager shows them read-only); the identity guard also
 * strips them from every write the plugin does not make itself.
 */
export const IDENTITY_FIELDS = ['openid', 'unionid', 'wechatSessionKey', 'wechatIdentities'] as const;
export const PHONE_FIELDS = ['phoneNumber', 'purePhoneNumber', 'phoneCountryCode', 'phoneVerifiedAt'] as const;
export const PROFILE_FIELDS = ['wechatNickname', 'wechatAvatar'] as const;
/** What only the plugin writes on a user. */
export const GUARDED_USER_FIELDS = [...IDENTITY_FIELDS, ...PHONE_FIELDS, ...PROFILE_FIELDS] as const;

/** A new object per attribute: Strapi annotates attribute definitions in place. */
const phoneField = () => ({ type: 'string', private: true, writable: false, configurable: false }) as const;

export const userAttributes = {
  wechatIdentities: {
    type: 'relation',
    relation: 'oneToMany',
    target: IDENTITY_UID,
    mappedBy: 'user',
    private: true,
    writable: false,
    configurable: false,
  },
  openid: {
    type: 'string',
    private: true,
    writable: false,
    configurable: false,
  },
  unionid: {
    type: 'string',
    private: true,
    writable: false,
    configurable: false,
    // A real unique index: `unique: true` alone is only checked by the entity validator.
    column: { unique: true },
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
  // As getuserphonenumber answers: phoneNumber carries the country code for numbers outside
  // mainland China, purePhoneNumber never does, phoneCountryCode is the code alone ("86").
  phoneNumber: phoneField(),
  purePhoneNumber: phoneField(),
  phoneCountryCode: phoneField(),
  phoneVerifiedAt: { type: 'datetime', private: true, writable: false, configurable: false },
  wechatNickname: { type: 'string', writable: false, configurable: false },
  wechatAvatar: { type: 'media', multiple: false, allowedTypes: ['images'], writable: false, configurable: false },
} as const;
