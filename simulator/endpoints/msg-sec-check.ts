/**
 * POST /wxa/msg_sec_check?access_token= { version: 2, openid, scene, content, nickname?, title?, signature? }.
 *
 * Errcodes: 47001 body not a JSON object, version not 2, content not a string or over 2500 characters; 40003 openid
 * unknown to the simulator; 43104 openid of another app; 40129 scene not 1..4; 44002 content missing or empty.
 * Verdict on content + nickname + title + signature (case-insensitive): a risky word → risky with its label, else a
 * review word → review with its label, else pass (label 100).
 */
import { randomBytes } from 'crypto';
import { wxError } from '../errors';
import type { ContentWord } from '../types';
import { Endpoint, str } from './endpoint';

const MAX_CONTENT = 2500;

function find(text: string, list: ContentWord[]): ContentWord | undefined {
  return list.find((w) => w.word && text.includes(w.word.toLowerCase()));
}

export const msgSecCheck: Endpoint = {
  method: 'POST',
  path: '/wxa/msg_sec_check',
  api: 'msgSecCheck',
  needsToken: true,
  faultCode: (req) => str(req.json?.content),
  handle(state, req, appId) {
    const body = req.json;
    if (!body || !appId || body.version !== 2) return { json: wxError(47001) };
    const user = state.userOf(body.openid);
    if (!user) return { json: wxError(40003) };
    if (user.appId !== appId) return { json: wxError(43104) };
    if (!Number.isInteger(body.scene) || (body.scene as number) < 1 || (body.scene as number) > 4) return { json: wxError(40129) };
    const { content } = body;
    if (content === undefined || content === null || content === '') return { json: wxError(44002) };
    if (typeof content !== 'string' || [...content].length > MAX_CONTENT) return { json: wxError(47001) };

    const text = [content, body.nickname, body.title, body.signature]
      .filter((t): t is string => typeof t === 'string')
      .join('\n')
      .toLowerCase();
    const risky = find(text, state.riskyWords);
    const review = risky ? undefined : find(text, state.reviewWords);
    const hit = risky ?? review;
    const suggest = risky ? 'risky' : review ? 'review' : 'pass';
    const label = hit?.label ?? 100;
    const detail: Array<Record<string, unknown>> = [{ strategy: 'content_model', errcode: 0, suggest, label, prob: risky ? 90 : review ? 60 : 0 }];
    if (hit) detail.push({ strategy: 'keyword', errcode: 0, suggest, label, level: risky ? 20 : 10, keyword: hit.word });
    const traceId = [4, 4, 4].map((n) => randomBytes(n).toString('hex')).join('-');
    return { json: { errcode: 0, errmsg: 'ok', trace_id: traceId, result: { suggest, label }, detail } };
  },
};
