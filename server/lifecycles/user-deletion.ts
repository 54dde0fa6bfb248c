import type { Strapi } from '../types';
import { query, subscribeLifecycles } from '../strapi';
import type { LifecycleEvent } from '../strapi/types';
import { asIdentityWrite } from './identity-guard';
import { IDENTITY_UID, USER_UID } from '../utils/plugin-id';

interface IdentityRef {
  id: number;
  user?: { id: number } | null;
}

const STATE_KEY = 'wechatIdentityIds';

/**
 * A deleted user takes its WeChat identities with it (openid, unionid, session keys): whichever way
 * it is deleted (the Content Manager, DELETE /api/users/:id, the entity service, the Document
 * Service, the query engine), nothing of the person's WeChat account outlives the account, and the
 * same person logging in afterwards is a new user. The phone number and the profile are columns of
 * the user row and go with it anyway.
 *
 * Before the delete, the identities of the users it matches are noted; after it, those whose user
 * is gone are deleted (a deleteMany may delete fewer users than it matched). When the delete runs in
 * a transaction (Strapi 5's Document Service, app code in strapi.db.transaction), both steps run in
 * it and commit or roll back with the user. Otherwise (Strapi 4's query engine runs a delete without
 * one) the identities go right after the user; rows a crash leaves in between have no user: the
 * login ignores them and the next start deletes them (server/services/upgrade.ts).
 */
export function registerUserDeletion(strapi: Strapi): void {
  const users = () => query<{ id: number }>(strapi, USER_UID);
  const identities = () => query<IdentityRef>(strapi, IDENTITY_UID);

  async function noteIdentities(event: LifecycleEvent, many: boolean): Promise<void> {
    const where = event.params?.where ?? {};
    const matched = many ? await users().findMany({ where, select: ['id'] }) : [await users().findOne({ where, select: ['id'] })];
    const userIds = matched.flatMap((user) => (user ? [user.id] : []));
    if (!userIds.length || !event.state) return;
    const rows = await identities().findMany({ where: { user: { id: { $in: userIds } } }, select: ['id'] });
    event.state[STATE_KEY] = rows.map((row) => row.id);
  }

  async function deleteNotedIdentities(event: LifecycleEvent): Promise<void> {
    const noted = event.state?.[STATE_KEY] as number[] | undefined;
    if (!noted?.length) return;
    const rows = await identities().findMany({ where: { id: { $in: noted } }, select: ['id'], populate: { user: { select: ['id'] } } });
    const withoutUser = rows.filter((row) => !row.user).map((row) => row.id);
    if (withoutUser.length) await asIdentityWrite(() => identities().deleteMany({ where: { id: { $in: withoutUser } } }));
  }

  subscribeLifecycles(strapi, [USER_UID], {
    beforeDelete: (event) => noteIdentities(event, false),
    beforeDeleteMany: (event) => noteIdentities(event, true),
    afterDelete: deleteNotedIdentities,
    afterDeleteMany: deleteNotedIdentities,
  });
}
