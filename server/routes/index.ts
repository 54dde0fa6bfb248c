import { ADMIN_ACTIONS } from '../utils/admin-actions';
import { PLUGIN_ID } from '../utils/plugin-id';

/** Admin JWT required (the default for admin-type routes), then the RBAC actions listed. */
const requires = (...actions: string[]) => ({ policies: [{ name: 'admin::hasPermissions', config: { actions } }] });
const canRead = requires(ADMIN_ACTIONS.readSettings);
const canUpdate = requires(ADMIN_ACTIONS.updateSettings);

// Admin-type routes are served without the /api prefix: the login URL stays
// POST /strapi-wechat-miniprogram-auth/login, as the original plugin documented it.
export default [
  {
    method: 'POST',
    path: '/login',
    handler: 'auth.login',
    config: {
      auth: false,
      middlewares: [`plugin::${PLUGIN_ID}.rateLimit`],
    },
  },
  // The admin panel's settings page: the app list.
  { method: 'GET', path: '/settings', handler: 'settings.find', config: canRead },
  { method: 'POST', path: '/settings/apps', handler: 'settings.addApp', config: canUpdate },
  { method: 'PUT', path: '/settings/apps/:appId', handler: 'settings.updateApp', config: canUpdate },
  { method: 'DELETE', path: '/settings/apps/:appId', handler: 'settings.removeApp', config: canUpdate },
  { method: 'PUT', path: '/settings/default', handler: 'settings.setDefault', config: canUpdate },
  // Makes the server call WeChat with what the admin typed: part of editing, so update permission.
  { method: 'POST', path: '/settings/test', handler: 'settings.test', config: canUpdate },
];
