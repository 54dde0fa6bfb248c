/**
 * The admin Content Manager's API, driven as its edit view drives it.
 */
import request from 'supertest';
import type { TestApp } from './test-app';

type Target = Parameters<typeof request>[0];

export const cmEntryPath = (uid: string, id?: number) => `/content-manager/collection-types/${uid}${id === undefined ? '' : `/${id}`}`;

export function openEntry(server: Target, token: string, uid: string, id: number) {
  return request(server).get(cmEntryPath(uid, id)).set('Authorization', `Bearer ${token}`);
}

/** GET /content-manager/relations/:uid/:id/:field: what the edit view lists in a relation field. */
export function relationOf(server: Target, token: string, uid: string, id: number, field: string) {
  return request(server).get(`/content-manager/relations/${uid}/${id}/${field}`).query({ pageSize: 100 }).set('Authorization', `Bearer ${token}`);
}

/**
 * Opens an entry and saves it back as the edit view does: every field it loaded, the creator and
 * timestamps left out, each relation sent as { connect, disconnect } (unchanged: both empty unless
 * `relations` says otherwise), with `changes` applied.
 */
export async function saveEntry(
  strapi: TestApp['strapi'],
  server: Target,
  token: string,
  uid: string,
  id: number,
  changes: Record<string, unknown> = {},
  relations: Record<string, { connect?: Array<{ id: number }>; disconnect?: Array<{ id: number }> }> = {}
): Promise<request.Response> {
  const opened = await openEntry(server, token, uid, id);
  if (opened.status !== 200) return opened;
  const { id: _id, createdAt: _c, updatedAt: _u, createdBy: _cb, updatedBy: _ub, ...form } = opened.body;
  for (const [name, attribute] of Object.entries(strapi.getModel(uid).attributes as Record<string, { type: string }>)) {
    if (attribute.type === 'relation' && name !== 'createdBy' && name !== 'updatedBy') {
      form[name] = { connect: [], disconnect: [], ...relations[name] };
    }
  }
  return request(server)
    .put(cmEntryPath(uid, id))
    .set('Authorization', `Bearer ${token}`)
    .send({ ...form, ...changes });
}
