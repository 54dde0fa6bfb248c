/**
 * The Strapi-free pieces behind /decrypt and checkSessionKey (server/wechat/open-data.ts,
 * session-signature.ts, the client's checksession call): WeChat's own published examples, the
 * watermark window, one error for every decrypt failure, and the client against the simulator.
 */
import { createCipheriv, randomBytes } from 'crypto';
import { checkWatermark, decryptOpenData, OpenDataDecryptError, WATERMARK_MAX_AGE_MS, WATERMARK_MAX_AHEAD_MS } from '../server/wechat/open-data';
import { sessionSignature } from '../server/wechat/session-signature';
import { createWeChatClient, WeChatApiError } from '../server/wechat/wechat-client';
import { DEMO_APP, WeChatSimulator } from '../simulator/wechat-simulator';

// WeChat's example in "开放数据校验与解密" (the same vector WxJava and wechatpy test with).
const OFFICIAL = {
  appId: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
};

function encrypt(key: Buffer, plain: Buffer | string, { pad = true } = {}) {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  cipher.setAutoPadding(pad);
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { encryptedData: data.toString('base64'), iv: iv.toString('base64') };
}

describe('decryptOpenData', () => {
  test("WeChat's published example decrypts to its user info and watermark", () => {
    const data = decryptOpenData(OFFICIAL) as Record<string, Record<string, unknown>>;
    expect(data).toMatchObject({ openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE', nickName: 'Band', watermark: { appid: OFFICIAL.appId, timestamp: 1477314187 } });
    expect(checkWatermark(data, OFFICIAL.appId, 1477314187 * 1000 + 60_000)).toBe('ok');
  });

  test('every failure is the one OpenDataDecryptError with one message: another key, bad padding, not UTF-8, not JSON', () => {
    const key = randomBytes(16);
    const sessionKey = key.toString('base64');
    const cases = [
      // Another session key (what a stale key is).
      { ...OFFICIAL, sessionKey: randomBytes(16).toString('base64') },
      // Padding bytes that are not PKCS#7.
      { ...encrypt(key, Buffer.alloc(32, 0x41), { pad: false }), sessionKey },
      // Well padded, but not UTF-8.
      { ...encrypt(key, Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), sessionKey },
      // UTF-8, not JSON.
      { ...encrypt(key, 'not json at all'), sessionKey },
      // A stored key that is not 16 bytes.
      { ...OFFICIAL, sessionKey: 'c2hvcnQ=' },
    ];
    const messages = cases.map((input) => {
      try {
        decryptOpenData(input);
      } catch (error) {
        expect(error).toBeInstanceOf(OpenDataDecryptError);
        return (error as Error).message;
      }
      throw new Error('decrypted');
    });
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).not.toMatch(/padding|utf|json|length/i);
  });

  test('data encrypted by the simulator with a session key it issued decrypts', async () => {
    const sim = new WeChatSimulator();
    sim.issueCode(DEMO_APP.appId, 'walker');
    const sessionKey = sim.sessionKeyFor(DEMO_APP.appId, 'walker') as string;
    const sealed = sim.encryptData(DEMO_APP.appId, 'walker');
    const data = decryptOpenData({ sessionKey, ...sealed }) as Record<string, unknown>;
    expect(data).toEqual({ ...sim.weRunDataFor('walker'), watermark: { appid: DEMO_APP.appId, timestamp: expect.any(Number) } });
    expect(checkWatermark(data, DEMO_APP.appId.toUpperCase().replace('WX', 'wx'), Date.now())).toBe('ok');
  });
});

describe('checkWatermark', () => {
  const now = Date.UTC(2026, 0, 1);
  const at = (ms: number, appid: unknown = 'wx0123456789abcdef') => ({ stepInfoList: [], watermark: { appid, timestamp: Math.floor(ms / 1000) } });

  test('the app and the window', () => {
    expect(checkWatermark(at(now), 'wx0123456789abcdef', now)).toBe('ok');
    expect(checkWatermark(at(now - WATERMARK_MAX_AGE_MS + 1000), 'wx0123456789abcdef', now)).toBe('ok');
    expect(checkWatermark(at(now - WATERMARK_MAX_AGE_MS - 1000), 'wx0123456789abcdef', now)).toBe('stale');
    expect(checkWatermark(at(now + WATERMARK_MAX_AHEAD_MS - 1000), 'wx0123456789abcdef', now)).toBe('ok');
    expect(checkWatermark(at(now + WATERMARK_MAX_AHEAD_MS + 1000), 'wx0123456789abcdef', now)).toBe('stale');
    expect(checkWatermark(at(now, 'wx00000000000000b1'), 'wx0123456789abcdef', now)).toBe('wrong-app');
  });

  test('no watermark, or a malformed one, is not this app’s recent data', () => {
    expect(checkWatermark({ stepInfoList: [] }, 'wx0123456789abcdef', now)).toBe('wrong-app');
    expect(checkWatermark([1, 2], 'wx0123456789abcdef', now)).toBe('wrong-app');
    expect(checkWatermark('text', 'wx0123456789abcdef', now)).toBe('wrong-app');
    expect(checkWatermark(at(now, 42), 'wx0123456789abcdef', now)).toBe('wrong-app');
    expect(checkWatermark({ watermark: { appid: 'wx0123456789abcdef', timestamp: '1700000000' } }, 'wx0123456789abcdef', now)).toBe('stale');
  });
});

describe('session signature and checksession', () => {
  test("WeChat's documented user-state signature example: the key is the session_key text", () => {
    expect(sessionSignature('o0q0otL8aEzpcZL/FT9WsQ==', '{"foo":"bar"}')).toBe('654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b');
    expect(sessionSignature('o0q0otL8aEzpcZL/FT9WsQ==')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the client asks checksession with the signature, never the key: current → true, outdated → false, other errcodes throw', async () => {
    const sim = new WeChatSimulator();
    const baseUrl = await sim.start();
    const client = createWeChatClient({ baseUrl, timeoutMs: 2000 });
    try {
      const openid = sim.openidFor(DEMO_APP.appId, 'checker');
      sim.issueCode(DEMO_APP.appId, 'checker');
      const key = sim.sessionKeyFor(DEMO_APP.appId, 'checker') as string;
      const token = sim.getAccessToken(DEMO_APP.appId);
      expect(await client.checkSessionKey(token, { openid, sessionKey: key })).toBe(true);
      sim.issueCode(DEMO_APP.appId, 'checker');
      expect(await client.checkSessionKey(token, { openid, sessionKey: key })).toBe(false);
      await expect(client.checkSessionKey(token, { openid: 'o-unknown', sessionKey: key })).rejects.toEqual(new WeChatApiError('checksession', 40003));
      await expect(client.checkSessionKey('x'.repeat(64), { openid, sessionKey: key })).rejects.toMatchObject({ errcode: 40001 });
      expect(sim.getStats().totals.checkSession).toBe(4);
    } finally {
      client.close();
      await sim.stop();
    }
  });
});
