import { PLUGIN_ID } from './plugin-id';

/** The RBAC actions the server registers (server/utils/admin-actions.ts). */
export const PERMISSIONS = {
  read: [{ action: `plugin::${PLUGIN_ID}.settings.read`, subject: null }],
  update: [{ action: `plugin::${PLUGIN_ID}.settings.update`, subject: null }],
};
