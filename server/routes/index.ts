import { ADMIN_ACTIONS } from '../utils/admin-actions';
import { PLUGIN_ID } from '../utils/plugin-id';

/** Admin JWT required (the default for admin-type routes), then the RBAC actions listed. */
const requires = (...actions: string[]) => ({ policies: [{ name: 'admin::hasPermissions', config: { actions } }] });
const canRead = requires(ADMIN_ACTIONS.readSettings);
const canUpdate = requires(ADMIN_ACTIONS.updateSettings);
/** The users view: reading it, and each action on a user with its own permission (reading included). */
const onUsers = (action?: string) => requires(ADMIN_ACTIONS.readUsers, ...(action ? [action] : []));
const canReadActivity = requires(ADMIN_ACTIONS.readActivity);

/**
 * The login, public, rate-limited (one budget per client address shared by both URLs: the
 * limiter keys on the route's handler). A new object per router: Strapi writes into each route.
 */
const loginRoute = () => ({
  method: 'POST',
  path: '/login',
  handler: 'auth.login',
  config: {
    auth: false,
    middlewares: [`plugin::${PLUGIN_ID}.rateLimit`],
  },
});

/** The browser logins (docs/web-logins.md): public, each rate-limited per client address like the login. */
const browserLoginRoutes = () =>
  [
    { method: 'GET', path: '/oauth/:appId/authorize', handler: 'oauth.authorize' },
    { method: 'GET', path: '/oauth/:appId/callback', handler: 'oauth.callback' },
    { method: 'POST', path: '/oauth/exchange', handler: 'oauth.exchange' },
  ].map((route) => ({ ...route, config: { auth: false, middlewares: [`plugin::${PLUGIN_ID}.rateLimit`] } }));

export default {
  // Served without the /api prefix: the login URL stays POST /strapi-wechat-miniprogram-auth/login,
  // as the original plugin documented it.
  admin: {
    type: 'admin',
    routes: [
      loginRoute(),
      // The admin panel's settings page: the app list.
      { method: 'GET', path: '/settings', handler: 'settings.find', config: canRead },
      { method: 'POST', path: '/settings/apps', handler: 'settings.addApp', config: canUpdate },
      { method: 'PUT', path: '/settings/apps/:appId', handler: 'settings.updateApp', config: canUpdate },
      { method: 'DELETE', path: '/settings/apps/:appId', handler: 'settings.removeApp', config: canUpdate },
      { method: 'PUT', path: '/settings/default', handler: 'settings.setDefault', config: canUpdate },
      // Makes the server call WeChat with what the admin typed: part of editing, so update permission.
      { method: 'POST', path: '/settings/test', handler: 'settings.test', config: canUpdate },
      // The WeChat users view. The search term travels in a POST body: an openid or a phone number stays out of
      // URLs and access logs.
      { method: 'POST', path: '/users/search', handler: 'wechatUsers.search', config: onUsers() },
      { method: 'GET', path: '/users/:id', handler: 'wechatUsers.findOne', config: onUsers() },
      { method: 'POST', path: '/users/:id/clear-nickname', handler: 'wechatUsers.clearNickname', config: onUsers(ADMIN_ACTIONS.moderateUsers) },
      { method: 'POST', path: '/users/:id/clear-avatar', handler: 'wechatUsers.clearAvatar', config: onUsers(ADMIN_ACTIONS.moderateUsers) },
      { method: 'POST', path: '/users/:id/unbind-phone', handler: 'wechatUsers.unbindPhone', config: onUsers(ADMIN_ACTIONS.unbindPhone) },
      {
        method: 'POST',
        path: '/users/:id/identities/:identityId/detach',
        handler: 'wechatUsers.detachIdentity',
        config: onUsers(ADMIN_ACTIONS.detachIdentity),
      },
      { method: 'POST', path: '/users/:id/block', handler: 'wechatUsers.block', config: onUsers(ADMIN_ACTIONS.blockUsers) },
      { method: 'POST', path: '/users/:id/unblock', handler: 'wechatUsers.unblock', config: onUsers(ADMIN_ACTIONS.blockUsers) },
      // Logins and WeChat errors per day (JSON, or ?format=csv).
      { method: 'GET', path: '/activity', handler: 'activity.find', config: canReadActivity },
    ],
  },
  // Served under /api/strapi-wechat-miniprogram-auth/, governed by Users & Permissions.
  'content-api': {
    type: 'content-api',
    routes: [
      // The same login beside the other content APIs. auth: false: no role permission is checked
      // (the action still shows in the roles page, where ticking it changes nothing).
      loginRoute(),
      ...browserLoginRoutes(),
      // A users-permissions JWT and the action plugin::strapi-wechat-miniprogram-auth.phone.bind on
      // the user's role (granted to Authenticated once, at the first start of this version).
      { method: 'POST', path: '/phone', handler: 'phone.bind', config: {} },
      // The user's profile (docs/profile.md): profile.find and profile.update, granted like phone.bind.
      { method: 'GET', path: '/profile', handler: 'profile.find', config: {} },
      { method: 'PUT', path: '/profile', handler: 'profile.update', config: {} },
      // wx.uploadFile (and uni.uploadFile, Taro.uploadFile) can only POST: the same update, same permission.
      { method: 'POST', path: '/profile', handler: 'profile.update', config: {} },
      // The user's encrypted open data, decrypted with the session key of their latest login in that app
      // (action plugin::strapi-wechat-miniprogram-auth.encryptedData.decrypt, granted to Authenticated once).
      { method: 'POST', path: '/decrypt', handler: 'encryptedData.decrypt', config: {} },
      // Logging in on a website by scanning a mini program code (docs/qr-login.md). The web page's two
      // routes are public (a ticket is read only with its secret; creation is rate-limited per network);
      // the mini program's need the user's JWT and the actions qrLogin.scan/confirm/cancel (granted to
      // Authenticated once).
      { method: 'POST', path: '/qr-logins', handler: 'qrLogin.create', config: { auth: false } },
      { method: 'GET', path: '/qr-logins/:ticket', handler: 'qrLogin.status', config: { auth: false } },
      { method: 'POST', path: '/qr-logins/:ticket/scan', handler: 'qrLogin.scan', config: {} },
      { method: 'POST', path: '/qr-logins/:ticket/confirm', handler: 'qrLogin.confirm', config: {} },
      { method: 'POST', path: '/qr-logins/:ticket/cancel', handler: 'qrLogin.cancel', config: {} },
    ],
  },
};
