import type { Strapi } from '../types';
import { PLUGIN_ID } from './plugin-id';
import type { Services } from '../services';

export function getService<K extends keyof Services>(strapi: Strapi, name: K): ReturnType<Services[K]> {
  return strapi.plugin(PLUGIN_ID).service<ReturnType<Services[K]>>(name);
}
