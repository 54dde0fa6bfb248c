import type { AppConfig, AppType, PluginConfig, ResolvedApp, ResolvedApps, StoredSettings } from '../types';

const sameApp = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The apps config/plugins declares: `apps`, with the 1.0 `appId`/`appSecret` shorthand first when it is not listed. */
export function configuredApps(config: Pick<PluginConfig, 'apps' | 'appId' | 'appSecret'>): AppConfig[] {
  // AppIDs are lowercase; one spelling keeps identities and counts matching.
  const apps = (config.apps ?? []).map((app) => ({ ...app, appId: app.appId.toLowerCase() }));
  if (config.appId && !apps.some((app) => sameApp(app.appId, config.appId as string))) {
    apps.unshift({ appId: config.appId.toLowerCase(), appSecret: config.appSecret || undefined });
  } else if (!config.appId && config.appSecret && apps.length === 0) {
    // 1.0 allowed the secret in config with the AppID from the admin panel.
    return [];
  }
  return apps;
}

/**
 * The merged app list: config apps first (config order), then the apps saved from the admin panel.
 * Per field, config wins; a config app without a secret takes the stored one. Strapi-free.
 */
export function resolveApps(config: Pick<PluginConfig, 'apps' | 'appId' | 'appSecret' | 'defaultAppId'>, stored: StoredSettings): ResolvedApps {
  const fromConfig = configuredApps(config);
  const storedFor = (appId: string) => stored.apps.find((app) => sameApp(app.appId, appId));
  // 1.0: appSecret in config, AppID saved from the admin panel.
  const shorthandSecret = !config.appId && config.appSecret ? config.appSecret : undefined;

  const apps: ResolvedApp[] = fromConfig.map((app) => {
    const saved = storedFor(app.appId);
    const secret = app.appSecret
      ? { value: app.appSecret, source: 'config' as const }
      : saved?.appSecret
        ? { value: saved.appSecret, source: 'store' as const }
        : null;
    return {
      appId: app.appId,
      name: app.name ?? null,
      type: app.type ?? 'miniProgram',
      scope: app.scope ?? 'snsapi_userinfo',
      redirectAllowList: app.redirectAllowList ?? [],
      source: 'config',
      appSecret: secret?.value ?? null,
      appSecretSource: secret?.source ?? null,
    };
  });
  for (const saved of stored.apps) {
    if (apps.some((app) => sameApp(app.appId, saved.appId))) continue;
    const useShorthand = shorthandSecret && apps.length === 0 && stored.apps[0] === saved;
    apps.push({
      appId: saved.appId,
      name: saved.name ?? null,
      type: saved.type ?? 'miniProgram',
      scope: 'snsapi_userinfo',
      redirectAllowList: [],
      source: 'store',
      appSecret: useShorthand ? shorthandSecret : (saved.appSecret ?? null),
      appSecretSource: useShorthand ? 'config' : saved.appSecret ? 'store' : null,
    });
  }

  const pick = (appId: string | undefined) => (appId ? apps.find((app) => sameApp(app.appId, appId)) : undefined);
  const withLegacy = (resolved: Omit<ResolvedApps, 'legacyAppId'>): ResolvedApps => ({
    ...resolved,
    legacyAppId: stored.legacyAppId ?? resolved.defaultAppId,
  });
  if (config.defaultAppId) {
    return withLegacy({ apps, defaultAppId: pick(config.defaultAppId)?.appId ?? config.defaultAppId.toLowerCase(), defaultAppIdSource: 'config' });
  }
  const storedDefault = pick(stored.defaultAppId);
  if (storedDefault) return withLegacy({ apps, defaultAppId: storedDefault.appId, defaultAppIdSource: 'store' });
  // A login without appId is a mini program's (1.0's only kind): the first of those.
  const first = apps.find((app) => app.type === 'miniProgram');
  return withLegacy(first ? { apps, defaultAppId: first.appId, defaultAppIdSource: 'first' } : { apps, defaultAppId: null, defaultAppIdSource: null });
}

/** What an app's type means for a login code sent to POST /login: which exchange it takes. */
export const LOGIN_EXCHANGE: Record<AppType, 'jscode2session' | 'sns' | null> = {
  miniProgram: 'jscode2session',
  mobileApp: 'sns',
  // Their codes come back to the browser flow's callback (GET /oauth/:appId/callback), never to POST /login.
  officialAccount: null,
  website: null,
};

export function findApp(resolved: ResolvedApps, appId: string): ResolvedApp | undefined {
  return resolved.apps.find((app) => sameApp(app.appId, appId));
}
