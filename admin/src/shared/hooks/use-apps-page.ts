import { useState } from 'react';
import { httpStatusOf } from '../api/http';
import type { AppView, CheckResult, SettingsView } from '../api/settings';
import type { AppActions } from '../components/AppsTable';
import { useKit } from '../kit';
import { appLabel } from '../../utils/app-label';
import { useSettingsApi } from './use-settings-api';
import { useT } from './use-translate';

/** What is open on top of the page: the add form, the edit form of one app, or the removal confirmation. */
export type Overlay = { kind: 'add' } | { kind: 'edit'; app: AppView } | { kind: 'remove'; app: AppView } | null;

export interface SavedMessage {
  id: string;
  values: Record<string, string>;
}

/** The app list's state: what is open, which app a row action runs for, the latest test result, and the actions. */
export function useAppsPage(onChange: (settings: SettingsView) => void) {
  const kit = useKit();
  const notify = kit.useNotify();
  const errorMessage = kit.useErrorMessage();
  const t = useT();
  const api = useSettingsApi();
  const [overlay, setOverlay] = useState<Overlay>(null);
  /** The app a row action (test, make default, remove) is running for. */
  const [busyAppId, setBusyAppId] = useState<string | null>(null);
  const [result, setResult] = useState<CheckResult | null>(null);

  function changed(next: SettingsView, message: SavedMessage) {
    onChange(next);
    // A result about an app that is gone, or whose secret changed, no longer says anything true.
    setResult(null);
    notify('success', t(message.id, message.values));
  }

  async function runFor(app: AppView, action: () => Promise<void>) {
    setBusyAppId(app.appId);
    try {
      await action();
    } catch (error) {
      notify('warning', errorMessage(error));
      // E.g. the app was removed meanwhile (another tab, another instance): show the list as it is now.
      if (httpStatusOf(error)) api.load().then(onChange, () => undefined);
    } finally {
      setBusyAppId(null);
    }
  }

  const actions: AppActions = {
    onTest: (app) =>
      void runFor(app, async () => {
        setResult(null);
        setResult(await api.test({ appId: app.appId }));
      }),
    onEdit: (app) => setOverlay({ kind: 'edit', app }),
    onMakeDefault: (app) => void runFor(app, async () => changed(await api.setDefault(app.appId), { id: 'default.saved', values: { app: appLabel(app) } })),
    onRemove: (app) => setOverlay({ kind: 'remove', app }),
  };

  return {
    overlay,
    busyAppId,
    result,
    actions,
    openAdd: () => setOverlay({ kind: 'add' }),
    close: () => setOverlay(null),
    clearResult: () => setResult(null),
    saved(next: SettingsView, message: SavedMessage) {
      setOverlay(null);
      changed(next, message);
    },
    remove: (app: AppView) =>
      runFor(app, async () => {
        changed(await api.removeApp(app.appId), { id: 'remove.done', values: { app: appLabel(app) } });
        setOverlay(null);
      }),
  };
}
