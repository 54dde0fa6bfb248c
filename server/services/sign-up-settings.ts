import { errors } from '@strapi/utils';
import { httpError } from '../utils/http-error';
import { pluginConfig, subscribeLifecycles, usersPermissions } from '../strapi';
import { CORE_STORE_UID, ROLE_UID } from '../utils/plugin-id';
import type { Strapi } from '../types';

const { ApplicationError } = errors;

const CHANGE_EVENTS = ['afterCreate', 'afterCreateMany', 'afterUpdate', 'afterUpdateMany', 'afterDelete', 'afterDeleteMany'];

/**
 * What a new user needs from Users & Permissions' Advanced settings: whether sign-ups are on, and
 * the default role's id. Every first login reads them (a store row and a role: ~0.3 ms of a
 * ~4.5 ms sign-up), so they are kept `credentialsCacheTtl` ms per instance, like the app list: a
 * change of the settings or of a role on this instance is seen at once (their db lifecycles), one
 * made on another instance sharing the database within that time.
 */
type SignUp = { roleId: number } | { closed: true };

export default ({ strapi }: { strapi: Strapi }) => {
  let cache: { value: SignUp; until: number } | null = null;
  // Bumped by every change: a read that a change overtook is used once, not kept.
  let generation = 0;

  async function read(): Promise<SignUp> {
    const advanced = await usersPermissions.advancedSettings(strapi);
    if (!advanced.allow_register) return { closed: true };
    const role = await usersPermissions.roleByType(strapi, advanced.default_role ?? 'authenticated');
    if (!role) throw new ApplicationError('The default role configured in Users & Permissions does not exist');
    return { roleId: role.id };
  }

  return {
    /** Forgets what was read whenever the settings row or a role changes on this instance (bootstrap). */
    watch(): void {
      const forget = () => {
        cache = null;
        generation += 1;
      };
      subscribeLifecycles(strapi, [CORE_STORE_UID, ROLE_UID], Object.fromEntries(CHANGE_EVENTS.map((event) => [event, forget])));
    },

    /** The role a new user gets; 403 when sign-ups are turned off. */
    async roleForNewUser(): Promise<number> {
      const now = Date.now();
      let value = cache && cache.until > now ? cache.value : null;
      if (!value) {
        const seen = generation;
        value = await read();
        const ttl = pluginConfig(strapi, 'credentialsCacheTtl');
        cache = ttl > 0 && seen === generation ? { value, until: now + ttl } : null;
      }
      if ('roleId' in value) return value.roleId;
      throw httpError(403, 'New accounts are disabled: sign-ups are turned off in Users & Permissions settings', {
        reason: 'registration_disabled',
      });
    },
  };
};
