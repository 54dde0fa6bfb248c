import { useMemo } from 'react';
import { settingsApi } from '../api/settings';
import { useKit } from '../kit';

/** The settings API over the host's fetch client; stable for the component's life, so effects can depend on it. */
export function useSettingsApi() {
  const client = useKit().useFetchClient();
  return useMemo(() => settingsApi(client), [client]);
}
