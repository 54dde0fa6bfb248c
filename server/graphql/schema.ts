import type { GraphqlAuth } from '../strapi';
import { PLUGIN_ID } from '../utils/plugin-id';

/** The phone.bind action of the REST route POST /api/strapi-wechat-miniprogram-auth/phone. */
export const PHONE_BIND_ACTION = `plugin::${PLUGIN_ID}.phone.bind`;

/**
 * The mutations, answering users-permissions' own UsersPermissionsLoginPayload (registered by
 * users-permissions' GraphQL extension). `userInfo` is JSON, not an input type: it goes through the
 * REST body's validation, so a bad one is the same 400 with the same message.
 */
export const typeDefs = /* GraphQL */ `
  input WechatMiniProgramLoginInput {
    "The code from wx.login()"
    code: String!
    "The mini program's AppID (default: the default app)"
    appId: String
    "A profile the mini program sends (not verified by WeChat): nickName, avatarUrl, gender, language, city, province, country"
    userInfo: JSON
    "A getPhoneNumber code: the phone number is bound in the same request"
    phoneCode: String
  }

  "The phone number WeChat vouches for"
  type WechatPhoneNumber {
    phoneNumber: String!
    purePhoneNumber: String!
    countryCode: String!
  }

  "How binding the phone number at login went (the login never fails because of it)"
  type WechatPhoneBinding {
    bound: Boolean!
    phoneNumber: String
    purePhoneNumber: String
    countryCode: String
    reason: String
    message: String
  }

  extend type UsersPermissionsLoginPayload {
    "Only for wechatMiniProgramLogin with a phoneCode"
    wechatPhone: WechatPhoneBinding
  }

  extend type Mutation {
    wechatMiniProgramLogin(input: WechatMiniProgramLoginInput!): UsersPermissionsLoginPayload!
    wechatBindPhone(code: String!, appId: String): WechatPhoneNumber!
  }
`;

export const resolversConfig: Record<string, { auth: GraphqlAuth }> = {
  'Mutation.wechatMiniProgramLogin': { auth: false },
  'Mutation.wechatBindPhone': { auth: { scope: [PHONE_BIND_ACTION] } },
};
