/**
 * `prefixPluginTranslations` of @strapi/helper-plugin (Strapi 4), which Strapi 5 no longer exports: every key of a
 * translations file, prefixed with the plugin's id.
 */
export function prefixPluginTranslations(translations: Record<string, string>, pluginId: string): Record<string, string> {
  return Object.fromEntries(Object.entries(translations).map(([key, value]) => [`${pluginId}.${key}`, value]));
}
