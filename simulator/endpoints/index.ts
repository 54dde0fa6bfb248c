import { checkSession } from './check-session';
import { code2session } from './code2session';
import type { Endpoint } from './endpoint';
import { msgSecCheck } from './msg-sec-check';
import { phoneNumber } from './phone-number';
import { snsAccessToken, snsUserInfo } from './sns-oauth';
import { stableToken } from './stable-token';
import { subscribeMessage } from './subscribe-message';
import { wxaCode } from './wxa-code';

export type { Endpoint } from './endpoint';

/** The WeChat APIs the simulator answers, by path. */
export const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map(
  [code2session, stableToken, phoneNumber, subscribeMessage, wxaCode, msgSecCheck, checkSession, snsAccessToken, snsUserInfo].map((endpoint) => [
    endpoint.path,
    endpoint,
  ])
);
