import type { PluginConfig, Strapi } from '../types';
import { PLUGIN_ID } from '../utils/plugin-id';
import { createWeChatClient, WeChatClient } from './wechat-client';

/** Holds the one WeChat client (and its keep-alive connections) of this Strapi instance. */
export default ({ strapi }: { strapi: Strapi }) => {
  let client: WeChatClient | null = null;
  return {
    client(): WeChatClient {
      if (!client) {
        const config = strapi.plugin(PLUGIN_ID).config as <K extends keyof PluginConfig>(key: K) => PluginConfig[K];
        client = createWeChatClient({ baseUrl: config('apiBaseUrl'), timeoutMs: config('timeout') });
      }
      return client;
    },
    close(): void {
      client?.close();
      client = null;
    },
  };
};
