// The activity panel's host on Strapi 4: helper-plugin's fetch client (axios), Design System 1's select.
import { useMemo } from 'react';
import { SingleSelect, SingleSelectOption } from '@strapi/design-system';
import { useFetchClient } from './helper-plugin';
import type { ActivityFetch } from '../activity/api';
import type { ActivityHost, SelectProps } from '../activity/host';

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

function Select({ label, value, options, onChange, testId }: SelectProps) {
  return (
    <SingleSelect label={label} value={value} onChange={(next: string | number) => onChange(String(next))} size="S" data-testid={testId}>
      {options.map((option) => (
        <SingleSelectOption key={option.value} value={option.value}>
          {option.label}
        </SingleSelectOption>
      ))}
    </SingleSelect>
  );
}

export const activityHostV4: ActivityHost = { useActivityFetch, Select };
