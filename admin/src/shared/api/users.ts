// The WeChat users API as the users view sees it, on both majors. The server's own types (declarations only).
import { PLUGIN_ID } from '../../plugin-id';
import type { FetchClient } from './http';
import type { AuditAction, AuditEntry, IdentityCardEntry, MatchKey, UserMatch, UserView } from '../../../../server/services/wechat-users-view';

export type { AuditAction, AuditEntry, IdentityCardEntry, MatchKey, UserMatch, UserView };
export interface SearchAnswer {
  results: UserMatch[];
  truncated: boolean;
}
/** The actions on one user that take no argument. */
export type UserAction = 'clear-nickname' | 'clear-avatar' | 'unbind-phone' | 'block' | 'unblock';

const BASE = `/${PLUGIN_ID}/users`;

export function usersApi({ get, post }: FetchClient) {
  const act = async (path: string) => (await post<{ data: { changed: boolean; user: UserView } }>(path, {})).data.data;
  return {
    /** POST, not GET: the term (an openid, a phone number) stays out of URLs and access logs. */
    search: async (term: string) => (await post<{ data: SearchAnswer }>(`${BASE}/search`, { term })).data.data,
    card: async (userId: number) => (await get<{ data: UserView }>(`${BASE}/${userId}`)).data.data,
    act: (userId: number, action: UserAction) => act(`${BASE}/${userId}/${action}`),
    detach: (userId: number, identityId: number) => act(`${BASE}/${userId}/identities/${identityId}/detach`),
  };
}

export type UsersApi = ReturnType<typeof usersApi>;
