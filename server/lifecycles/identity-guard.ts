import { AsyncLocalStorage } from 'async_hooks';
import type { Strapi } from '../types';
import { IDENTITY_FIELDS } from '../content-types/user-attributes';
import { USER_UID } from '../utils/plugin-id';

const identityWrites = new AsyncLocalStorage<true>();

/** Runs `write` as the plugin: inside it, the identity fields may be written. */
export function asIdentityWrite<T>(write: () => Promise<T>): Promise<T> {
  return identityWrites.run(true, write);
}

function stripIdentityFields(event: { params?: { data?: Record<string, unknown> | Record<string, unknown>[] } }) {
  if (identityWrites.getStore()) return;
  const data = event.params?.data;
  for (const row of Array.isArray(data) ? data : data ? [data] : []) {
    for (const field of IDENTITY_FIELDS) delete row[field];
  }
}

/**
 * Keeps openid, unionid and the session key the plugin's alone: whatever route writes a user
 * (users-permissions register, PUT /api/users/:id, GraphQL, the Content Manager, another
 * plugin), those fields are dropped unless the write runs through asIdentityWrite().
 */
export function registerIdentityGuard(strapi: Strapi): void {
  strapi.db!.lifecycles.subscribe({
    models: [USER_UID],
    beforeCreate: stripIdentityFields,
    beforeCreateMany: stripIdentityFields,
    beforeUpdate: stripIdentityFields,
    beforeUpdateMany: stripIdentityFields,
  } as never);
}
