import type { Strapi } from './types';
import { pluginStore, query, usersPermissions } from './strapi';
import { PERMISSION_UID, PLUGIN_ID } from './utils/plugin-id';

/** The content-API action of POST /api/strapi-wechat-miniprogram-auth/phone. */
export const PHONE_ACTION = `plugin::${PLUGIN_ID}.phone.bind`;

/** The content-API action of POST /api/strapi-wechat-miniprogram-auth/decrypt. */
export const DECRYPT_ACTION = `plugin::${PLUGIN_ID}.encryptedData.decrypt`;

/** The content-API actions of GET and PUT /api/strapi-wechat-miniprogram-auth/profile. */
export const PROFILE_ACTIONS = { find: `plugin::${PLUGIN_ID}.profile.find`, update: `plugin::${PLUGIN_ID}.profile.update` } as const;

/** The content-API actions of the mini program's side of a QR login (POST /api/strapi-wechat-miniprogram-auth/qr-logins/:ticket/…). */
export const QR_LOGIN_ACTIONS = {
  scan: `plugin::${PLUGIN_ID}.qrLogin.scan`,
  confirm: `plugin::${PLUGIN_ID}.qrLogin.confirm`,
  cancel: `plugin::${PLUGIN_ID}.qrLogin.cancel`,
} as const;

/** Content-API actions granted when they first appear, and to which users-permissions role. */
const DEFAULT_GRANTS = [
  { action: PHONE_ACTION, roleType: 'authenticated' },
  { action: DECRYPT_ACTION, roleType: 'authenticated' },
  { action: PROFILE_ACTIONS.find, roleType: 'authenticated' },
  { action: PROFILE_ACTIONS.update, roleType: 'authenticated' },
  { action: QR_LOGIN_ACTIONS.scan, roleType: 'authenticated' },
  { action: QR_LOGIN_ACTIONS.confirm, roleType: 'authenticated' },
  { action: QR_LOGIN_ACTIONS.cancel, roleType: 'authenticated' },
] as const;

/** Plugin store key: the actions already granted once (action → when), never granted again. */
const STORE_KEY = 'content-api-permissions';

interface GrantRecord {
  granted: Record<string, string>;
}

/**
 * Grants each default action to its role once, at the first start of the version that brings it,
 * as users-permissions' bootstrap grants its own (a row in up_permissions linked to the role). The
 * plugin store remembers it: an admin who removes the permission in Users & Permissions later is
 * respected at every following start.
 */
export async function grantDefaultPermissions(strapi: Strapi): Promise<void> {
  const store = pluginStore(strapi);
  const record = (await store.get<GrantRecord>(STORE_KEY)) ?? { granted: {} };
  record.granted ??= {};
  const pending = DEFAULT_GRANTS.filter((grant) => !record.granted[grant.action]);
  if (!pending.length) return;

  // users-permissions creates its roles and default permissions in its own bootstrap, which runs
  // after this one when config/plugins lists this plugin first; and it creates its default
  // permissions only while up_permissions is empty. So it does that now (idempotent: its own
  // bootstrap runs it again and finds everything in place).
  await usersPermissions.initialize(strapi);

  for (const { action, roleType } of pending) {
    const role = await usersPermissions.roleByType(strapi, roleType);
    if (!role) {
      strapi.log.warn(`[wechat-auth] no users-permissions role of type ${roleType}: ${action} not granted (grant it in Users & Permissions)`);
      continue;
    }
    await grant(strapi, action, role.id);
    record.granted[action] = new Date().toISOString();
    strapi.log.info(`[wechat-auth] ${action} granted to the ${roleType} role (once: removing it in Users & Permissions is kept)`);
  }
  await store.set(STORE_KEY, record);
}

async function grant(strapi: Strapi, action: string, roleId: number): Promise<void> {
  const permissions = query<{ id: number }>(strapi, PERMISSION_UID);
  const where = { action, role: { id: roleId } };
  if (await permissions.findOne({ where, select: ['id'] })) return;
  await permissions.create({ data: { action, role: roleId } });
  // Two instances starting at once may both have inserted it: keep one.
  const rows = await permissions.findMany({ where, select: ['id'], orderBy: { id: 'asc' } });
  for (const extra of rows.slice(1)) await permissions.delete({ where: { id: extra.id } });
}
