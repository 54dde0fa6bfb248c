// The admin entry for both Strapi majors (docs/design/strapi-5.md, "3. Packaging"). It is compiled as an ES module
// (admin/src/v5/tsconfig.json, into dist/admin-esm) so that both lazy pages stay dynamic import()s for the bundler:
// - Strapi 5 (Vite): the pages in ./v5/pages (the shared pages of ./shared with ./v5/kit: @strapi/strapi/admin,
//   Design System 2), compiled alongside as ESM;
// - Strapi 4 (webpack): the pages in ./v4/pages (the same shared pages with ./v4/kit: @strapi/helper-plugin, Design
//   System 1), compiled to CommonJS into dist/admin/src by tsconfig.build.json. They must stay CommonJS: on Vite an
//   ESM import of @strapi/helper-plugin (which Strapi 5 lacks) fails the build even in a lazy chunk, while a require
//   is left external.
// Nothing here may import @strapi/helper-plugin, or anything that exists on one major only.
import { PLUGIN_ID, PLUGIN_NAME } from './plugin-id';
import { PluginIcon } from './shared/components/PluginIcon';
import { UsersIcon } from './shared/components/UsersIcon';
import { PERMISSIONS, USER_PERMISSIONS } from './permissions';
import { getTrad } from './utils/get-trad';
import { prefixPluginTranslations } from './utils/prefix-translations';
import en from './translations/en.json';
import fr from './translations/fr.json';
import zhHans from './translations/zh-Hans.json';

const translations: Record<string, Record<string, string>> = { en, fr, 'zh-Hans': zhHans };

type PageModule = Promise<{ default: React.ComponentType }>;

interface AdminApp {
  addMenuLink(link: unknown): void;
  registerPlugin(plugin: unknown): void;
}

interface AdminBootstrapApp {
  addSettingsLink(sectionId: string, link: unknown): void;
}

/** Strapi 5's StrapiApp has a `router` (its menu and settings links live there); Strapi 4's has none. */
const isStrapi5 = (app: object) => 'router' in app;

// Plain arrow functions returning import(): Strapi 5 warns about async component loaders.
const V5Page = (): PageModule => import('./v5/pages/SettingsPage');
const V5UsersPage = (): PageModule => import('./v5/pages/UsersPage');
// The CommonJS build of the Strapi 4 pages, from dist/admin-esm/index.js. The paths exist only in dist, so the ESM
// build neither follows nor compiles them.
// @ts-expect-error dist/admin/src/v4/pages/SettingsPage.js, built by tsconfig.build.json
const V4Page = (): PageModule => import('../admin/src/v4/pages/SettingsPage.js');
// @ts-expect-error dist/admin/src/v4/pages/UsersPage.js, built by tsconfig.build.json
const V4UsersPage = (): PageModule => import('../admin/src/v4/pages/UsersPage.js');

/** The WeChat users view's own menu entry, shown to admins allowed to read it. */
const USERS_PATH = `${PLUGIN_ID}-users`;

/** Set by register(), which sees the app object that tells the majors apart; bootstrap()'s argument does not. */
let strapi5 = false;

export default {
  register(app: AdminApp) {
    strapi5 = isStrapi5(app);
    // Where the original plugin put it: the left menu, under PLUGINS. Strapi 5 takes the path relative to the
    // admin's root (an absolute one is corrected with a warning); Strapi 4 needs it absolute.
    app.addMenuLink({
      to: strapi5 ? `plugins/${PLUGIN_ID}` : `/plugins/${PLUGIN_ID}`,
      icon: PluginIcon,
      intlLabel: { id: getTrad('plugin.name'), defaultMessage: PLUGIN_NAME },
      Component: strapi5 ? V5Page : V4Page,
      permissions: PERMISSIONS.read,
    });
    app.addMenuLink({
      to: strapi5 ? `plugins/${USERS_PATH}` : `/plugins/${USERS_PATH}`,
      icon: UsersIcon,
      intlLabel: { id: getTrad('users.menu'), defaultMessage: 'WeChat users' },
      Component: strapi5 ? V5UsersPage : V4UsersPage,
      permissions: USER_PERMISSIONS.read,
    });
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_NAME });
  },

  bootstrap(app: AdminBootstrapApp) {
    // The same page under Settings → Global settings. Strapi 5 takes the path relative to /settings (as its own
    // i18n plugin does); Strapi 4 needs it absolute.
    app.addSettingsLink('global', {
      id: PLUGIN_ID,
      to: strapi5 ? PLUGIN_ID : `/settings/${PLUGIN_ID}`,
      intlLabel: { id: getTrad('settings.section'), defaultMessage: 'WeChat Mini Program' },
      Component: strapi5 ? V5Page : V4Page,
      permissions: PERMISSIONS.read,
    });
  },

  registerTrads({ locales }: { locales: string[] }) {
    return Promise.resolve(
      locales.map((locale) => ({
        locale,
        data: prefixPluginTranslations(translations[locale] ?? {}, PLUGIN_ID),
      }))
    );
  },
};
