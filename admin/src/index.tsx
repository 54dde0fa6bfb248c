import { prefixPluginTranslations } from '@strapi/helper-plugin';
import { PLUGIN_ID, PLUGIN_NAME } from './plugin-id';
import { PluginIcon } from './components/PluginIcon';
import { PERMISSIONS } from './permissions';
import { getTrad } from './utils/get-trad';
import en from './translations/en.json';
import fr from './translations/fr.json';
import zhHans from './translations/zh-Hans.json';

const translations: Record<string, Record<string, string>> = { en, fr, 'zh-Hans': zhHans };

interface AdminApp {
  addMenuLink(link: unknown): void;
  registerPlugin(plugin: unknown): void;
}

interface AdminBootstrapApp {
  addSettingsLink(sectionId: string, link: unknown): void;
}

const SettingsPage = () => import('./pages/SettingsPage');

export default {
  register(app: AdminApp) {
    // Where the original plugin put it: the left menu, under PLUGINS.
    app.addMenuLink({
      to: `/plugins/${PLUGIN_ID}`,
      icon: PluginIcon,
      intlLabel: { id: getTrad('plugin.name'), defaultMessage: PLUGIN_NAME },
      Component: SettingsPage,
      permissions: PERMISSIONS.read,
    });
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_NAME });
  },

  bootstrap(app: AdminBootstrapApp) {
    // The same page under Settings → Global settings.
    app.addSettingsLink('global', {
      id: PLUGIN_ID,
      to: `/settings/${PLUGIN_ID}`,
      intlLabel: { id: getTrad('settings.section'), defaultMessage: 'WeChat Mini Program' },
      Component: SettingsPage,
      permissions: PERMISSIONS.read,
    });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return locales.map((locale) => ({
      locale,
      data: prefixPluginTranslations(translations[locale] ?? {}, PLUGIN_ID),
    }));
  },
};
