import { PLUGIN_ID } from './plugin-id';

const action = (name: string) => [{ action: `plugin::${PLUGIN_ID}.${name}`, subject: null }];

/** The RBAC actions the server registers (server/utils/admin-actions.ts). */
export const PERMISSIONS = {
  read: action('settings.read'),
  update: action('settings.update'),
};

/** The WeChat users view's actions: reading it, and each kind of change to a user. */
export const USER_PERMISSIONS = {
  read: action('users.read'),
  moderate: action('users.moderate'),
  unbindPhone: action('users.unbind-phone'),
  detachIdentity: action('users.detach-identity'),
  block: action('users.block'),
};
