/**
 * @strapi/helper-plugin, for the Strapi 4 page only: every import of it goes through this file.
 *
 * Strapi 5 has no helper-plugin, and its admin bundles this package's Strapi 4 page too (a lazy chunk it never
 * loads). A plain `require` is fine for its production build (Rollup leaves it external), but its `strapi develop`
 * pre-bundles the plugin with esbuild, which fails on a require it cannot resolve unless the require is in a
 * try/catch. So: required in a try/catch, an empty object when missing (only ever on Strapi 5, where nothing here
 * runs). Webpack (Strapi 4) bundles it as usual.
 */
import type * as HelperPlugin from '@strapi/helper-plugin';

declare const require: (id: string) => unknown;

function load(): typeof HelperPlugin {
  try {
    return require('@strapi/helper-plugin') as typeof HelperPlugin;
  } catch {
    return {} as typeof HelperPlugin;
  }
}

const helperPlugin = load();

export const AnErrorOccurred: typeof HelperPlugin.AnErrorOccurred = helperPlugin.AnErrorOccurred;
export const LoadingIndicatorPage: typeof HelperPlugin.LoadingIndicatorPage = helperPlugin.LoadingIndicatorPage;
export const NoPermissions: typeof HelperPlugin.NoPermissions = helperPlugin.NoPermissions;
export const SettingsPageTitle: typeof HelperPlugin.SettingsPageTitle = helperPlugin.SettingsPageTitle;
export const useAPIErrorHandler: typeof HelperPlugin.useAPIErrorHandler = helperPlugin.useAPIErrorHandler;
export const useClipboard: typeof HelperPlugin.useClipboard = helperPlugin.useClipboard;
export const useFetchClient: typeof HelperPlugin.useFetchClient = helperPlugin.useFetchClient;
export const useFocusWhenNavigate: typeof HelperPlugin.useFocusWhenNavigate = helperPlugin.useFocusWhenNavigate;
export const useNotification: typeof HelperPlugin.useNotification = helperPlugin.useNotification;
export const useRBAC: typeof HelperPlugin.useRBAC = helperPlugin.useRBAC;
