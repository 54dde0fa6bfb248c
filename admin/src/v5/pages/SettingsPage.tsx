// Strapi 5's twin of ../../pages/SettingsPage.tsx: the same page, with @strapi/strapi/admin (Page.*, Layouts.*,
// useRBAC, useNotification) and Design System 2 in place of @strapi/helper-plugin and Design System 1.
import { useEffect, useState } from 'react';
import { Box, Button, EmptyStateLayout, Flex, IconButton, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { Layouts, Page, useNotification, useRBAC } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { AppView, CheckResult, httpStatusOf, SettingsView, useErrorMessage, useSettingsApi } from '../api';
import { AppFormModal } from '../components/AppFormModal';
import { AppsTable, type RowButton } from '../../components/AppsTable';
import { Note } from '../components/Note';
import { RemoveAppDialog } from '../components/RemoveAppDialog';
import { StatusCard } from '../components/StatusCard';
import { TestResult } from '../components/TestResult';
import { ActivityPanel } from '../../activity/ActivityPanel';
import { activityHostV5 } from '../activity-host';
import { PERMISSIONS } from '../../permissions';
import { appLabel } from '../../utils/app-label';
import { getTrad } from '../../utils/get-trad';

/** Design System 2: the icon as a child. */
const IconRowButton: RowButton = ({ label, icon, disabled, onClick }) => (
  <IconButton label={label} disabled={disabled} onClick={onClick}>
    {icon}
  </IconButton>
);

function PageShell({ children, busy = false }: { children: React.ReactNode; busy?: boolean }) {
  const { formatMessage } = useIntl();
  const title = formatMessage({ id: getTrad('page.title'), defaultMessage: 'WeChat Mini Program Authenticator' });
  return (
    <Page.Main aria-busy={busy}>
      <Page.Title>{title}</Page.Title>
      {children}
    </Page.Main>
  );
}

/**
 * PLUGINS → WeChat Mini Program Authenticator (also under Settings). Reading needs the
 * "Read settings" permission, every change and test "Update settings"; the server enforces both.
 */
export default function SettingsPage() {
  const { formatMessage } = useIntl();
  const {
    isLoading: loadingPermissions,
    allowedActions: { canRead, canUpdate },
  } = useRBAC({ read: PERMISSIONS.read, update: PERMISSIONS.update });
  const api = useSettingsApi();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<number | 'other' | null>(null);

  useEffect(() => {
    if (loadingPermissions || !canRead) return;
    api.load().then(setSettings, (error) => setLoadError(httpStatusOf(error) ?? 'other'));
  }, [api, loadingPermissions, canRead]);

  const title = formatMessage({ id: getTrad('page.title'), defaultMessage: 'WeChat Mini Program Authenticator' });

  if (loadingPermissions || (canRead && !settings && !loadError)) {
    return (
      <PageShell busy>
        <Layouts.Header title={title} />
        <Layouts.Content>
          <Page.Loading />
        </Layouts.Content>
      </PageShell>
    );
  }
  if (!canRead || loadError === 401 || loadError === 403 || !settings) {
    return (
      <PageShell>
        <Layouts.Header title={title} />
        <Layouts.Content>{!canRead || loadError === 401 || loadError === 403 ? <Page.NoPermissions /> : <Page.Error />}</Layouts.Content>
      </PageShell>
    );
  }
  return <AppsPage settings={settings} onChange={setSettings} canUpdate={Boolean(canUpdate)} />;
}

/** What is open on top of the page: the add form, the edit form of one app, or the removal confirmation. */
type Overlay = { kind: 'add' } | { kind: 'edit'; app: AppView } | { kind: 'remove'; app: AppView } | null;

function AppsPage({ settings, onChange, canUpdate }: { settings: SettingsView; onChange: (s: SettingsView) => void; canUpdate: boolean }) {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const errorMessage = useErrorMessage();
  const api = useSettingsApi();
  const [overlay, setOverlay] = useState<Overlay>(null);
  /** The app a row action (test, make default, remove) is running for. */
  const [busyAppId, setBusyAppId] = useState<string | null>(null);
  const [result, setResult] = useState<CheckResult | null>(null);

  const t = (id: string, values?: Record<string, string | number>) => formatMessage({ id: getTrad(id) }, values);
  const hasConfigApps = settings.apps.some((app) => app.source === 'config');

  function notifyError(error: unknown) {
    toggleNotification({ type: 'warning', message: errorMessage(error) });
  }

  function changed(next: SettingsView, message: { id: string; values: Record<string, string> }) {
    onChange(next);
    // A result about an app that is gone, or whose secret changed, no longer says anything true.
    setResult(null);
    // Strapi 5 takes the message as a string, not a message descriptor.
    toggleNotification({ type: 'success', message: formatMessage({ id: getTrad(message.id), defaultMessage: 'Saved' }, message.values) });
  }

  async function runFor(app: AppView, action: () => Promise<void>) {
    setBusyAppId(app.appId);
    try {
      await action();
    } catch (error) {
      notifyError(error);
      // E.g. the app was removed meanwhile (another tab, another instance): show the list as it is now.
      if (httpStatusOf(error)) api.load().then(onChange, () => undefined);
    } finally {
      setBusyAppId(null);
    }
  }

  const actions = {
    onTest: (app: AppView) =>
      runFor(app, async () => {
        setResult(null);
        setResult(await api.test({ appId: app.appId }));
      }),
    onEdit: (app: AppView) => setOverlay({ kind: 'edit', app }),
    onMakeDefault: (app: AppView) => runFor(app, async () => changed(await api.setDefault(app.appId), { id: 'default.saved', values: { app: appLabel(app) } })),
    onRemove: (app: AppView) => setOverlay({ kind: 'remove', app }),
  };

  async function remove(app: AppView) {
    await runFor(app, async () => {
      changed(await api.removeApp(app.appId), { id: 'remove.done', values: { app: appLabel(app) } });
      setOverlay(null);
    });
  }

  const addButton = (
    <Button startIcon={<Plus />} size="S" disabled={!canUpdate} onClick={() => setOverlay({ kind: 'add' })}>
      {t('apps.add')}
    </Button>
  );

  return (
    <PageShell busy={busyAppId !== null}>
      <Layouts.Header title={t('page.title')} subtitle={t('page.subtitle')} primaryAction={addButton} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <StatusCard settings={settings} />
          <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7}>
            <Flex direction="column" alignItems="stretch" gap={4}>
              <Typography variant="delta" tag="h2">
                {t('apps.title')}
              </Typography>
              {!canUpdate && <Note testId="wechat-read-only">{t('page.read-only')}</Note>}
              {hasConfigApps && <Note>{t('apps.config-note')}</Note>}
              {settings.defaultAppIdSource === 'config' && <Note>{t('apps.default-config-note')}</Note>}
              {settings.apps.length > 0 ? (
                <AppsTable settings={settings} canUpdate={canUpdate} busyAppId={busyAppId} actions={actions} RowButton={IconRowButton} />
              ) : (
                // No icon: Strapi 5 moved EmptyDocuments to @strapi/icons/symbols, which Strapi 4's icons lack (its
                // webpack build would fail on the import, even in this page's chunk).
                <EmptyStateLayout content={t('apps.empty')} action={addButton} shadow={undefined} />
              )}
              {result && <TestResult result={result} onClose={() => setResult(null)} />}
            </Flex>
          </Box>
          <ActivityPanel host={activityHostV5} />
        </Flex>
      </Layouts.Content>
      {(overlay?.kind === 'add' || overlay?.kind === 'edit') && (
        <AppFormModal
          key={overlay.kind === 'edit' ? overlay.app.appId : 'add'}
          app={overlay.kind === 'edit' ? overlay.app : null}
          onClose={() => setOverlay(null)}
          onSaved={(next, message) => {
            setOverlay(null);
            changed(next, message);
          }}
        />
      )}
      {overlay?.kind === 'remove' && (
        <RemoveAppDialog
          app={overlay.app}
          removing={busyAppId === overlay.app.appId}
          onCancel={() => setOverlay(null)}
          onConfirm={() => void remove(overlay.app)}
        />
      )}
    </PageShell>
  );
}
