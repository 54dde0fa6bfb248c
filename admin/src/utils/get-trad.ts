import { PLUGIN_ID } from '../plugin-id';

/** The full id of one of this plugin's translations (translations/*.json hold them unprefixed). */
export const getTrad = (id: string) => `${PLUGIN_ID}.${id}`;
