/**
 * Control endpoints, for processes that drive the simulator over HTTP (the playground, the benchmark):
 *   POST /__sim/code           { appid?, user? }                          → { code, openid }
 *   POST /__sim/oauth-code     { appid, user?, scope?, snapshot? }         → { code, openid } (issueOAuthCode)
 *   POST /__sim/phone-code     { appid?, user?, phoneNumber? }             → { code, openid, phoneNumber }
 *   POST /__sim/template       { appid?, templateId, keys }                → { ok }
 *   POST /__sim/refuse         { appid?, user, templateId }                → { ok }   (user: a name or an openid)
 *   POST /__sim/token          { appid?, action: 'invalidate' | 'expire', stableReturnsNew? } → { ok, invalidated }
 *   POST /__sim/fault          { fault, times?, api? }                     → { ok }
 *   POST /__sim/encrypted-data { appid?, user?, data?, watermark? }        → { encryptedData, iv } (encryptData; data: default
 *                              the user's WeRun data; watermark: fields to replace, or null) or { ok: false, error }
 *   POST /__sim/session-key-retention { ms }                              → { ok } (setSessionKeyRetention)
 *   GET  /__sim/stats                                                      → getStats()
 *   GET  /__sim/messages                                                   → the subscribe messages sent
 * appid defaults to the demo app, user to 'demo'.
 */
import { DEMO_APP } from './state';
import { API_NAMES, type Fault } from './types';
import type { WeChatSimulator } from './wechat-simulator';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The JSON answer of a control endpoint, or undefined when `path` is none. */
export function control(sim: WeChatSimulator, method: string, path: string, body: Record<string, unknown> | null): unknown {
  const appId = typeof body?.appid === 'string' ? body.appid : DEMO_APP.appId;
  const user = typeof body?.user === 'string' ? body.user : 'demo';
  const route = `${method} ${path}`;
  switch (route) {
    case 'POST /__sim/code':
      return { code: sim.issueCode(appId, user), openid: sim.openidFor(appId, user) };
    case 'POST /__sim/oauth-code': {
      const scope = body?.scope === 'snsapi_base' || body?.scope === 'snsapi_userinfo' || body?.scope === 'snsapi_login' ? body.scope : undefined;
      return { code: sim.issueOAuthCode(appId, user, { scope, snapshot: body?.snapshot === true }), openid: sim.openidFor(appId, user) };
    }
    case 'POST /__sim/phone-code': {
      const number = typeof body?.phoneNumber === 'string' ? body.phoneNumber : undefined;
      const code = sim.issuePhoneCode(appId, user, number);
      return { code, openid: sim.openidFor(appId, user), phoneNumber: number ?? sim.phoneNumberFor(user).phoneNumber };
    }
    case 'POST /__sim/template': {
      const keys = Array.isArray(body?.keys) ? body.keys.filter((k): k is string => typeof k === 'string') : [];
      if (typeof body?.templateId !== 'string') return { ok: false, error: 'templateId missing' };
      sim.addTemplate(appId, body.templateId, keys);
      return { ok: true };
    }
    case 'POST /__sim/refuse':
      if (typeof body?.templateId !== 'string') return { ok: false, error: 'templateId missing' };
      sim.refuseSubscription(appId, user, body.templateId);
      return { ok: true };
    case 'POST /__sim/token': {
      const token =
        body?.action === 'expire'
          ? sim.expireToken(appId)
          : body?.action === 'invalidate'
            ? sim.invalidateToken(appId, { stableReturnsNew: body.stableReturnsNew === true })
            : undefined;
      return token === undefined ? { ok: false, error: "action must be 'invalidate' or 'expire'" } : { ok: true, invalidated: token !== null };
    }
    case 'POST /__sim/fault': {
      const api = API_NAMES.find((name) => name === body?.api);
      if (body?.api !== undefined && !api) return { ok: false, error: `api must be one of ${API_NAMES.join(', ')}` };
      sim.setFault((body?.fault as Fault | undefined) ?? null, typeof body?.times === 'number' ? body.times : Infinity, api);
      return { ok: true };
    }
    case 'POST /__sim/session-key-retention': {
      const ms = body?.ms;
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) return { ok: false, error: 'ms must be a whole number ≥ 0' };
      sim.setSessionKeyRetention(ms);
      return { ok: true };
    }
    case 'POST /__sim/encrypted-data': {
      const data = isObject(body?.data) ? body.data : undefined;
      const watermark = body?.watermark === null ? null : isObject(body?.watermark) ? body.watermark : undefined;
      try {
        return sim.encryptData(appId, user, data, { watermark });
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    }
    case 'GET /__sim/stats':
      return sim.getStats();
    case 'GET /__sim/messages':
      return sim.sentMessages;
    default:
      return undefined;
  }
}
