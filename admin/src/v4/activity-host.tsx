// The activity panel's host on Strapi 4: helper-plugin's fetch client (axios).
import { useMemo } from 'react';
import { useFetchClient } from './helper-plugin';
import type { ActivityFetch } from '../activity/api';
import type { ActivityHost } from '../activity/host';

function useActivityFetch(): ActivityFetch {
  const { get } = useFetchClient();
  return useMemo(
    () => ({
      getJson: async (url): Promise<unknown> => (await get<unknown>(url)).data,
      async getText(url) {
        const response = await get(url, { responseType: 'text' });
        const header = (response.headers as Record<string, string | undefined>)['content-disposition'];
        return { text: String(response.data), contentDisposition: header ?? null };
      },
    }),
    [get]
  );
}

export const activityHostV4: ActivityHost = { useActivityFetch };
