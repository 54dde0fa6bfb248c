// Where Strapi is, and how this mini program logs in there. See README.md.
module.exports = {
  // Development: the playground (npm run develop at the repository root). Production: your HTTPS domain, listed in
  // the mini program's request and uploadFile 合法域名 (mp.weixin.qq.com → 开发 → 开发管理 → 服务器域名).
  STRAPI_URL: 'http://127.0.0.1:1337',

  // Sent with the login, the phone, the profile and decrypt calls (the plugin serves several mini programs).
  APP_ID: wx.getAccountInfoSync().miniProgram.appId,

  // Development with the WeChat simulator (the playground's default): wx.login codes from DevTools mean nothing to the
  // simulator, so the example asks the simulator for a code (and for phone codes) instead, as user SIMULATOR_USER.
  // Set it to '' when Strapi talks to the real WeChat (your AppID and AppSecret), and in production.
  SIMULATOR_URL: 'http://127.0.0.1:8900',
  SIMULATOR_USER: 'devtools',
};
