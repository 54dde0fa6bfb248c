/**
 * What the plugin store holds as its settings (the app list the admin panel saves), read the way
 * a test needs it: every stored AppSecret must be sealed (a plain app seals with the key derived
 * from its APP_KEYS); the answer has them opened by the plugin's own secrets service, and leaves
 * out the row's write counter (`revision`), so tests compare what the admin saved.
 */
import { PLUGIN_NAME, type Untyped } from './test-app';

interface Secrets {
  open(stored: string): string;
}

export async function storedSettings(strapi: Untyped): Promise<Record<string, unknown> | null> {
  const raw = (await strapi.store({ type: 'plugin', name: PLUGIN_NAME }).get({ key: 'settings' })) as Record<string, unknown> | null;
  if (!raw) return null;
  const secrets = strapi.plugin(PLUGIN_NAME).service('secrets') as Secrets;
  const { revision: _revision, ...settings } = raw;
  const apps = (settings.apps as Array<Record<string, unknown>> | undefined)?.map((app) => {
    if (typeof app.appSecret !== 'string') return app;
    expect(app.appSecret).toMatch(/^wxenc:v1:/);
    return { ...app, appSecret: secrets.open(app.appSecret) };
  });
  return apps ? { ...settings, apps } : settings;
}
