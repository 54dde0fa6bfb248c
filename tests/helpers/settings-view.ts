/** Reading the admin settings API's answer (docs/design/apps-and-identities.md, "Admin API"). */
import type request from 'supertest';

/** One app of the settings answer. */
export interface AppView {
  appId: string;
  name: string | null;
  source: 'config' | 'store';
  isDefault: boolean;
  appSecret: { isSet: boolean; last4: string | null; source: 'config' | 'store' | null; unreadable: boolean };
  identities: number;
  /** The app's access token as the shared store knows it (docs/design/server-apis.md); never the token. */
  token: { cached: boolean; expiresAt: string | null; refreshedAt: string | null; lastErrcode: number | null };
}

/** No server API has been called for the app: no access token yet. */
export const noToken = { cached: false, expiresAt: null, refreshedAt: null, lastErrcode: null };
export const noSecret = { isSet: false, last4: null, source: null, unreadable: false };
export const secretView = (secret: string, source: 'config' | 'store' = 'store') => ({ isSet: true, last4: secret.slice(-4), source, unreadable: false });
export const appsOf = (res: request.Response): AppView[] => (res.body as { data: { apps: AppView[] } }).data.apps;
export const appView = (res: request.Response, appId: string) => appsOf(res).find((a) => a.appId === appId);
