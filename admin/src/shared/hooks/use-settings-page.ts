import { useEffect, useState } from 'react';
import { httpStatusOf } from '../api/http';
import type { SettingsView } from '../api/settings';
import { useKit } from '../kit';
import { PERMISSIONS } from '../../permissions';
import { useSettingsApi } from './use-settings-api';

const SETTINGS_PERMISSIONS = { read: PERMISSIONS.read, update: PERMISSIONS.update };

export type SettingsPageState =
  | { kind: 'loading' }
  | { kind: 'forbidden' }
  | { kind: 'error' }
  | { kind: 'ready'; settings: SettingsView; setSettings: (settings: SettingsView) => void; canUpdate: boolean };

/**
 * The settings page's permissions and data: reading needs "Read settings", every change and test "Update
 * settings" (the server enforces both). A 401/403 from the server reads as no permission.
 */
export function useSettingsPage(): SettingsPageState {
  const kit = useKit();
  const { isLoading, allowed } = kit.useRBAC(SETTINGS_PERMISSIONS);
  const api = useSettingsApi();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<number | 'other' | null>(null);
  kit.usePageFocus();

  useEffect(() => {
    if (isLoading || !allowed.read) return;
    api.load().then(setSettings, (error) => setLoadError(httpStatusOf(error) ?? 'other'));
  }, [api, isLoading, allowed.read]);

  if (isLoading || (allowed.read && !settings && !loadError)) return { kind: 'loading' };
  if (!allowed.read || loadError === 401 || loadError === 403) return { kind: 'forbidden' };
  if (!settings) return { kind: 'error' };
  return { kind: 'ready', settings, setSettings, canUpdate: allowed.update };
}
