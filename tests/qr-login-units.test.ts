/**
 * The small pieces of the QR login that need no Strapi: the browser's description, its coarse
 * network, and the validation of the qrLogin config.
 */
import configModule, { validator } from '../server/config';
import { coarseNetwork } from '../server/rate-limit/client-address';
import { describeBrowser } from '../server/utils/browser-description';

describe('coarseNetwork', () => {
  test.each([
    ['203.0.113.45', '203.0.113.0/24'],
    ['::ffff:203.0.113.45', '203.0.113.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    [undefined, 'unknown'],
    ['not an address', 'unknown'],
  ])('%s → %s', (address, network) => {
    expect(coarseNetwork(address)).toBe(network);
  });
});

describe('describeBrowser', () => {
  test.each([
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'Chrome 120 on macOS 10.15.7 (desktop)',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox 121 on Windows NT 10.0 (desktop)'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS 17.1 (mobile)',
    ],
    [undefined, 'Unknown browser'],
    ['', 'Unknown browser'],
  ])('%s', (userAgent, description) => {
    expect(describeBrowser(userAgent)).toBe(description);
  });

  test('whatever the User-Agent holds, the description is short printable ASCII', () => {
    for (const userAgent of ['\u0000\u202eevil\nline', 'x'.repeat(10_000), 'Mozilla/5.0 (未知) 浏览器/1.0']) {
      const description = describeBrowser(userAgent);
      expect(description).toMatch(/^[\x20-\x7e]{1,120}$/);
    }
  });
});

describe('qrLogin config', () => {
  const withQr = (qrLogin: Record<string, unknown>) => {
    const config = configModule.default();
    return { ...config, qrLogin: { ...config.qrLogin, ...qrLogin } };
  };

  test('the defaults: off, release, checkPath on, 120 s, 10 tickets a minute per network', () => {
    expect(configModule.default().qrLogin).toEqual({
      enabled: false,
      envVersion: 'release',
      checkPath: true,
      ttlSeconds: 120,
      ratelimit: { interval: { min: 1 }, max: 10 },
    });
    expect(() => validator(withQr({}))).not.toThrow();
    expect(() => validator(withQr({ enabled: true, page: 'pages/qr-login/index', envVersion: 'develop', checkPath: false, ratelimit: false }))).not.toThrow();
  });

  test.each([
    [{ enabled: 'yes' }, 'qrLogin.enabled must be true or false'],
    [{ page: '/pages/qr' }, 'qrLogin.page must be a page path'],
    [{ page: 'pages/qr?x=1' }, 'qrLogin.page must be a page path'],
    [{ envVersion: 'beta' }, "qrLogin.envVersion must be 'release', 'trial' or 'develop'"],
    [{ checkPath: 1 }, 'qrLogin.checkPath must be true or false'],
    [{ ttlSeconds: 29 }, 'qrLogin.ttlSeconds must be an integer number of seconds between 30 and 600'],
    [{ ttlSeconds: 601 }, 'qrLogin.ttlSeconds must be an integer number of seconds between 30 and 600'],
    [{ ratelimit: { interval: { min: 1 }, max: 0 } }, 'qrLogin.ratelimit.max must be a positive integer'],
    [{ ratelimit: true }, 'qrLogin.ratelimit must be false or an object like { interval, max }'],
    [{ ttl: 60 }, 'qrLogin.ttl'],
  ])('%j is refused: %s', (qrLogin, message) => {
    expect(() => validator(withQr(qrLogin))).toThrow(message);
  });
});
