import { PLUGIN_ID, PLUGIN_NAME } from './plugin-id';
import { PluginIcon } from './components/PluginIcon';

interface AdminApp {
  addMenuLink(link: unknown): void;
  registerPlugin(plugin: unknown): void;
}

export default {
  register(app: AdminApp) {
    app.addMenuLink({
      to: `/plugins/${PLUGIN_ID}`,
      icon: PluginIcon,
      intlLabel: { id: `${PLUGIN_ID}.plugin.name`, defaultMessage: PLUGIN_NAME },
      Component: () => import('./pages/SettingsPage'),
      permissions: [],
    });
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_NAME });
  },
  bootstrap() {},
};
