// The admin API on Strapi 4: helper-plugin's fetch client (axios) and error words. Strapi 5's are in ../v5/api.ts;
// everything else (types, paths, field errors) is shared, in ./settings-core.
import { useMemo } from 'react';
import { useAPIErrorHandler, useFetchClient } from '../helper-plugin';
import { settingsApi } from './settings-core';

export * from './settings-core';

export function useSettingsApi() {
  // Memoised on the fetch client's functions (stable in helper-plugin), so effects can depend on it.
  const { get, put, post, del } = useFetchClient();
  return useMemo(() => settingsApi({ get, put, post, del }), [get, put, post, del]);
}

type ApiFailure = Parameters<ReturnType<typeof useAPIErrorHandler>['formatAPIError']>[0];

const isApiFailure = (error: unknown): error is ApiFailure => typeof error === 'object' && error !== null && 'isAxiosError' in error;

/** The words for a failed request, as Strapi's own pages put them (helper-plugin's formatAPIError). */
export function useErrorMessage(): (error: unknown) => string {
  const { formatAPIError } = useAPIErrorHandler();
  return (error) => (isApiFailure(error) ? formatAPIError(error) : error instanceof Error ? error.message : String(error));
}
