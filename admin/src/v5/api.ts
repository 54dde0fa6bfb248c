// The admin API on Strapi 5: @strapi/strapi/admin's fetch client and error words. Strapi 4's are in
// ../api/settings.ts; everything else (types, paths, field errors) is shared, in ../api/settings-core.
import { useMemo } from 'react';
import { isFetchError, useAPIErrorHandler, useFetchClient } from '@strapi/strapi/admin';
import { settingsApi } from '../api/settings-core';

export * from '../api/settings-core';

export function useSettingsApi() {
  // Strapi 5's fetch client is memoised for the component's life, so effects can depend on the api.
  const { get, put, post, del } = useFetchClient();
  return useMemo(() => settingsApi({ get, put, post, del }), [get, put, post, del]);
}

/** The words for a failed request, as Strapi's own pages put them (formatAPIError of a FetchError). */
export function useErrorMessage(): (error: unknown) => string {
  const { formatAPIError } = useAPIErrorHandler();
  return (error) => (isFetchError(error) ? formatAPIError(error) : error instanceof Error ? error.message : String(error));
}
