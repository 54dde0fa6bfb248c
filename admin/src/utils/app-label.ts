import type { AppView } from '../shared/api/settings';

/** How the page names an app: its name, or its AppID when it has none. */
export const appLabel = (app: Pick<AppView, 'appId' | 'name'>) => app.name || app.appId;
