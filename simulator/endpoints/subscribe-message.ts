/**
 * POST /cgi-bin/message/subscribe/send?access_token= { touser, template_id, page?, data, miniprogram_state?, lang? }.
 *
 * Checked in this order: 47001 body not a JSON object; 40003 touser not a user of the token's app; 40037 template_id
 * not registered for the app (addTemplate); 41030 page not a string or unpublished (a leading slash and a query are
 * allowed: `index?foo=bar`); 47003 data not an object, a template key missing or empty, a value breaking its key's
 * rule, or a bad miniprogram_state / lang (errmsg names the field: `argument invalid! data.thing1.value ...`);
 * 43101 the user refused the template (refuseSubscription). Keys in data that the template lacks are ignored.
 */
import { wxError } from '../errors';
import { keep } from '../state';
import { Endpoint, str } from './endpoint';

const STATES = ['developer', 'trial', 'formal'];
const LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW'];

/** WeChat's rules for a keyword by its type (the key without its number): at most that many characters, of that kind. */
const RULES: Record<string, { max: number; pattern?: RegExp }> = {
  thing: { max: 20 },
  name: { max: 20 },
  phrase: { max: 5 },
  number: { max: 32, pattern: /^[0-9.+-]+$/ },
  letter: { max: 32, pattern: /^[A-Za-z]+$/ },
  symbol: { max: 5 },
  character_string: { max: 32, pattern: /^[\x21-\x7e]+$/ },
  phone_number: { max: 17, pattern: /^[0-9+\-() ]+$/ },
  car_number: { max: 8 },
};

/** Why `value` does not fit `key`, or null when it does. */
function invalidValue(key: string, entry: unknown): string | null {
  const value: unknown = entry !== null && typeof entry === 'object' ? (entry as { value?: unknown }).value : undefined;
  if (typeof value !== 'string' || value === '') return `data.${key}.value is empty`;
  const rule = RULES[key.replace(/\d+$/, '')];
  if (rule && ([...value].length > rule.max || (rule.pattern && !rule.pattern.test(value)))) return `data.${key}.value invalid`;
  return null;
}

export const subscribeMessage: Endpoint = {
  method: 'POST',
  path: '/cgi-bin/message/subscribe/send',
  api: 'subscribe',
  needsToken: true,
  faultCode: (req) => str(req.json?.template_id),
  handle(state, req, appId) {
    const body = req.json;
    if (!body || !appId) return { json: wxError(47001) };
    const touser = str(body.touser);
    const user = state.userOf(touser);
    if (!touser || user?.appId !== appId) return { json: wxError(40003) };
    const templateId = str(body.template_id);
    const keys = templateId ? state.templates.get(appId)?.get(templateId) : undefined;
    if (!templateId || !keys) return { json: wxError(40037) };
    const { page, data, miniprogram_state, lang } = body;
    if (page !== undefined && (typeof page !== 'string' || state.isUnpublished(appId, page))) return { json: wxError(41030) };
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return { json: wxError(47003, 'data is empty') };
    for (const key of keys) {
      const problem = invalidValue(key, (data as Record<string, unknown>)[key]);
      if (problem) return { json: wxError(47003, problem) };
    }
    if (miniprogram_state !== undefined && !STATES.includes(miniprogram_state as string)) return { json: wxError(47003, 'miniprogram_state invalid') };
    if (lang !== undefined && !LANGS.includes(lang as string)) return { json: wxError(47003, 'lang invalid') };
    if (state.refusals.has(`${appId} ${templateId} ${touser}`)) return { json: wxError(43101) };

    const msgid = state.nextMsgid();
    keep(state.sentMessages, {
      msgid,
      appId,
      touser,
      user: user.user,
      templateId,
      ...(typeof page === 'string' ? { page } : {}),
      data: Object.fromEntries(keys.map((key) => [key, { value: (data as Record<string, { value: string }>)[key].value }])),
      ...(typeof miniprogram_state === 'string' ? { miniprogramState: miniprogram_state } : {}),
      ...(typeof lang === 'string' ? { lang } : {}),
      sentAt: state.now(),
    });
    return { json: { errcode: 0, errmsg: 'ok', msgid } };
  },
};
