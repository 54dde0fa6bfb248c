// The activity panel's host on Strapi 5: @strapi/strapi/admin's fetch client, Design System 2's select
// (its label is a Field around it). Strapi 4's is ../v4/activity-host.tsx.
import { useMemo } from 'react';
import { Field, SingleSelect, SingleSelectOption } from '@strapi/design-system';
import { useFetchClient } from '@strapi/strapi/admin';
import type { ActivityFetch } from '../activity/api';
import type { ActivityHost, SelectProps } from '../activity/host';

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

function Select({ label, value, options, onChange, testId }: SelectProps) {
  return (
    <Field.Root>
      <Field.Label>{label}</Field.Label>
      <SingleSelect value={value} onChange={(next) => onChange(String(next))} size="S" data-testid={testId}>
        {options.map((option) => (
          <SingleSelectOption key={option.value} value={option.value}>
            {option.label}
          </SingleSelectOption>
        ))}
      </SingleSelect>
    </Field.Root>
  );
}

export const activityHostV5: ActivityHost = { useActivityFetch, Select };
