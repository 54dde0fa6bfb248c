/** The browser logins' redirect allow-list (server/oauth/redirect-allow-list.ts) and WeChat's authorization URL. */
import { isAllowedRedirect, redirectWith } from '../server/oauth/redirect-allow-list';
import { authorizeUrl, BROWSER_LOGINS, grantsProfile } from '../server/oauth/browser-logins';

const LIST = ['https://shop.example.com/login/', 'https://h5.example.com/back', 'http://localhost:1337/web-login/'];

describe('isAllowedRedirect', () => {
  test.each([
    'https://shop.example.com/login/',
    'https://shop.example.com/login/done',
    'https://shop.example.com/login/a/b?next=%2Fcart#top',
    'https://SHOP.example.com:443/login/done',
    'https://h5.example.com/back',
    'https://h5.example.com/back?x=1',
    'http://localhost:1337/web-login/website.html',
  ])('allows %s', (redirect) => {
    expect(isAllowedRedirect(redirect, LIST)).toBe(true);
  });

  test.each([
    'https://shop.example.com/login',
    'https://shop.example.com/loginx/done',
    'https://shop.example.com/login/../admin',
    'https://shop.example.com/login/%2e%2e/admin',
    'https://shop.example.com/login/..%2fadmin/../../admin',
    'https://shop.example.com\\@evil.com/login/',
    'https://shop.example.com.evil.com/login/done',
    'https://evil.com/https://shop.example.com/login/',
    'https://shop.example.com@evil.com/login/done',
    'https://user:pw@shop.example.com/login/done',
    'http://shop.example.com/login/done',
    'https://shop.example.com:8443/login/done',
    'https://h5.example.com/back/more',
    'https://h5.example.com/backdoor',
    '//shop.example.com/login/done',
    '/login/done',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    `https://shop.example.com/login/${'a'.repeat(2100)}`,
    '',
  ])('refuses %s', (redirect) => {
    expect(isAllowedRedirect(redirect, LIST)).toBe(false);
  });

  test('an empty list allows nothing', () => {
    expect(isAllowedRedirect('https://shop.example.com/login/done', [])).toBe(false);
  });

  test('redirectWith sets its parameters, keeping the page’s own and its fragment', () => {
    expect(redirectWith('https://a.example.com/p?x=1#f', { login_code: 'c', error: 'e' })).toBe('https://a.example.com/p?x=1&login_code=c&error=e#f');
    expect(redirectWith('https://a.example.com/p?login_code=old', { login_code: 'new' })).toBe('https://a.example.com/p?login_code=new');
  });
});

describe("WeChat's authorization URL", () => {
  const app = { appId: 'wx0123456789abcdef', appSecret: 's', type: 'officialAccount' as const, scope: 'snsapi_base' as const, redirectAllowList: [] };

  test('Official Account: connect/oauth2/authorize, parameters in WeChat’s order, #wechat_redirect', () => {
    const login = BROWSER_LOGINS.officialAccount!;
    const url = authorizeUrl('https://open.weixin.qq.com/', login, {
      appId: app.appId,
      redirectUri: 'https://strapi.example.com/api/x/callback?a=1',
      scope: login.scope(app),
      state: 'abc',
    });
    expect(url).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef&redirect_uri=https%3A%2F%2Fstrapi.example.com%2Fapi%2Fx%2Fcallback%3Fa%3D1&response_type=code&scope=snsapi_base&state=abc#wechat_redirect'
    );
  });

  test('website: connect/qrconnect with snsapi_login; only these two types run in a browser', () => {
    expect(BROWSER_LOGINS.website!.authorizePath).toBe('/connect/qrconnect');
    expect(BROWSER_LOGINS.website!.scope({ ...app, type: 'website' })).toBe('snsapi_login');
    expect(Object.keys(BROWSER_LOGINS).sort()).toEqual(['officialAccount', 'website']);
  });

  test('the profile is granted by snsapi_userinfo and snsapi_login, not snsapi_base', () => {
    expect([
      grantsProfile('snsapi_userinfo'),
      grantsProfile('snsapi_login'),
      grantsProfile('snsapi_base'),
      grantsProfile('snsapi_base,snsapi_userinfo'),
    ]).toEqual([true, true, false, true]);
  });
});
