import type { Strapi } from '../types';
import { registerAdminActions as register } from '../strapi';
import { PLUGIN_ID } from './plugin-id';

/** The admin RBAC actions of this plugin (Settings → Administration panel → Roles → Plugins). */
export const ADMIN_ACTIONS = {
  readSettings: `plugin::${PLUGIN_ID}.settings.read`,
  updateSettings: `plugin::${PLUGIN_ID}.settings.update`,
  readUsers: `plugin::${PLUGIN_ID}.users.read`,
  moderateUsers: `plugin::${PLUGIN_ID}.users.moderate`,
  unbindPhone: `plugin::${PLUGIN_ID}.users.unbind-phone`,
  detachIdentity: `plugin::${PLUGIN_ID}.users.detach-identity`,
  blockUsers: `plugin::${PLUGIN_ID}.users.block`,
  readActivity: `plugin::${PLUGIN_ID}.activity.read`,
} as const;

/**
 * Called from the plugin's bootstrap, which runs before the admin's own bootstrap: the admin
 * then grants every registered action to the Super Admin role, and to no other role.
 */
export async function registerAdminActions(strapi: Strapi): Promise<void> {
  await register(strapi, [
    { section: 'plugins', displayName: 'Read settings', uid: 'settings.read', subCategory: 'settings', pluginName: PLUGIN_ID },
    { section: 'plugins', displayName: 'Update settings', uid: 'settings.update', subCategory: 'settings', pluginName: PLUGIN_ID },
    { section: 'plugins', displayName: 'Read WeChat users', uid: 'users.read', subCategory: 'WeChat users', pluginName: PLUGIN_ID },
    { section: 'plugins', displayName: 'Clear nickname or avatar', uid: 'users.moderate', subCategory: 'WeChat users', pluginName: PLUGIN_ID },
    { section: 'plugins', displayName: 'Unbind phone number', uid: 'users.unbind-phone', subCategory: 'WeChat users', pluginName: PLUGIN_ID },
    { section: 'plugins', displayName: 'Detach identity', uid: 'users.detach-identity', subCategory: 'WeChat users', pluginName: PLUGIN_ID },
    { section: 'plugins', displayName: 'Block or unblock', uid: 'users.block', subCategory: 'WeChat users', pluginName: PLUGIN_ID },
    { section: 'plugins', displayName: 'Read login activity', uid: 'activity.read', subCategory: 'activity', pluginName: PLUGIN_ID },
  ]);
}
