import type { Strapi } from '../types';
import { pluginConfig } from '../strapi';
import { createWeChatClient, WeChatClient } from '../wechat/wechat-client';

/** Holds the one WeChat client (and its keep-alive connections) of this Strapi instance. */
export default ({ strapi }: { strapi: Strapi }) => {
  let client: WeChatClient | null = null;
  return {
    client(): WeChatClient {
      client ??= createWeChatClient({ baseUrl: pluginConfig(strapi, 'apiBaseUrl'), timeoutMs: pluginConfig(strapi, 'timeout') });
      return client;
    },
    close(): void {
      client?.close();
      client = null;
    },
  };
};
