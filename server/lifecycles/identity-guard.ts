import { AsyncLocalStorage } from 'async_hooks';
import { errors } from '@strapi/utils';
import type { Strapi } from '../types';
import { FILE_UID, subscribeLifecycles } from '../strapi';
import type { LifecycleEvent } from '../strapi/types';
import { GUARDED_USER_FIELDS, PROFILE_FIELDS } from '../content-types/user-attributes';
import { IDENTITY_UID, USER_UID } from '../utils/plugin-id';

const identityWrites = new AsyncLocalStorage<true>();

/** Runs `write` as the plugin: inside it, identity data may be written. */
export function asIdentityWrite<T>(write: () => Promise<T>): Promise<T> {
  return identityWrites.run(true, write);
}

/** The rows a create/update (one or many) writes. */
function rowsWritten(event: LifecycleEvent) {
  const data = event.params?.data;
  return Array.isArray(data) ? data : data ? [data] : [];
}

function stripIdentityFields(event: LifecycleEvent) {
  if (identityWrites.getStore()) return;
  for (const row of rowsWritten(event)) {
    for (const field of GUARDED_USER_FIELDS) delete row[field];
  }
}

const isProfileLink = (link: unknown) => {
  const { __type, __pivot } = (link ?? {}) as { __type?: unknown; __pivot?: { field?: unknown } };
  return __type === USER_UID && (PROFILE_FIELDS as readonly unknown[]).includes(__pivot?.field);
};

/**
 * The upload plugin links a new file to an entry from the file's side (`POST /api/upload` with
 * ref, refId, field): without this, anyone allowed to upload could set any user's wechatAvatar.
 */
function stripProfileLinks(event: LifecycleEvent) {
  if (identityWrites.getStore()) return;
  for (const row of rowsWritten(event)) {
    if (Array.isArray(row.related)) row.related = row.related.filter((link) => !isProfileLink(link));
  }
}

function refuseIdentityWrite(event: LifecycleEvent) {
  if (identityWrites.getStore()) return;
  throw new errors.ForbiddenError('WeChat identities are managed by the WeChat login and cannot be changed', { model: event.model.uid });
}

/**
 * Keeps identity data the plugin's alone: whatever route writes a user (users-permissions
 * register, PUT /api/users/:id, GraphQL, the Content Manager, another plugin), openid, unionid,
 * the session key, the identities relation, the verified phone number and the profile (nickname,
 * avatar) are dropped unless the write runs through asIdentityWrite(), and so are links a file
 * write makes to a user's avatar; any other write to the identities themselves is refused.
 */
export function registerIdentityGuard(strapi: Strapi): void {
  subscribeLifecycles(strapi, [USER_UID], {
    beforeCreate: stripIdentityFields,
    beforeCreateMany: stripIdentityFields,
    beforeUpdate: stripIdentityFields,
    beforeUpdateMany: stripIdentityFields,
  });
  subscribeLifecycles(strapi, [FILE_UID], {
    beforeCreate: stripProfileLinks,
    beforeCreateMany: stripProfileLinks,
    beforeUpdate: stripProfileLinks,
    beforeUpdateMany: stripProfileLinks,
  });
  subscribeLifecycles(strapi, [IDENTITY_UID], {
    beforeCreate: refuseIdentityWrite,
    beforeCreateMany: refuseIdentityWrite,
    beforeUpdate: refuseIdentityWrite,
    beforeUpdateMany: refuseIdentityWrite,
    beforeDelete: refuseIdentityWrite,
    beforeDeleteMany: refuseIdentityWrite,
  });
}
