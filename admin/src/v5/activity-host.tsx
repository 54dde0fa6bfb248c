// The activity panel's host on Strapi 5: @strapi/strapi/admin's fetch client.
// Strapi 4's is ../v4/activity-host.tsx.
import { useMemo } from 'react';
import { useFetchClient } from '@strapi/strapi/admin';
import type { ActivityFetch } from '../activity/api';
import type { ActivityHost } from '../activity/host';

function useActivityFetch(): ActivityFetch {
  const { get } = useFetchClient();
  return useMemo(
    () => ({
      getJson: async (url) => (await get(url)).data,
      async getText(url) {
        const response = await get<string>(url, { responseType: 'text' });
        const headers = (response as { headers?: Headers }).headers;
        return { text: String(response.data), contentDisposition: headers?.get('content-disposition') ?? null };
      },
    }),
    [get]
  );
}

export const activityHostV5: ActivityHost = { useActivityFetch };
