import { Button, Flex } from '@strapi/design-system';
import { ActivityPanel } from '../../activity/ActivityPanel';
import { Plus } from '@strapi/icons';
import type { SettingsView } from '../api/settings';
import { AppFormModal } from '../components/AppFormModal';
import { AppsTable } from '../components/AppsTable';
import { Card } from '../components/Card';
import { Note } from '../components/Note';
import { RemoveAppDialog } from '../components/RemoveAppDialog';
import { StatusCard } from '../components/StatusCard';
import { TestResult } from '../components/TestResult';
import { useAppsPage } from '../hooks/use-apps-page';
import { useSettingsPage } from '../hooks/use-settings-page';
import { useT } from '../hooks/use-translate';
import { useKit } from '../kit';

/** A page's frame while it loads or when it cannot be shown: its title and what stands in for its content. */
export function PageState({ title, kind }: { title: string; kind: 'loading' | 'forbidden' | 'error' }) {
  const { Page, Header, Content, Loading, NoPermissions, LoadError } = useKit();
  return (
    <Page title={title} busy={kind === 'loading'}>
      <Header title={title} />
      <Content>{kind === 'loading' ? <Loading /> : kind === 'forbidden' ? <NoPermissions /> : <LoadError />}</Content>
    </Page>
  );
}

/**
 * PLUGINS → WeChat Mini Program Authenticator (also under Settings). Reading needs the "Read settings" permission,
 * every change and test "Update settings"; the server enforces both.
 */
export function SettingsPage() {
  const state = useSettingsPage();
  const t = useT();
  if (state.kind !== 'ready') return <PageState title={t('page.title')} kind={state.kind} />;
  return <AppsPage settings={state.settings} onChange={state.setSettings} canUpdate={state.canUpdate} />;
}

function AppsPage({ settings, onChange, canUpdate }: { settings: SettingsView; onChange: (s: SettingsView) => void; canUpdate: boolean }) {
  const { Page, Header, Content, EmptyState, activity } = useKit();
  const t = useT();
  const page = useAppsPage(onChange);
  const { overlay } = page;
  const hasConfigApps = settings.apps.some((app) => app.source === 'config');

  const addButton = (
    <Button startIcon={<Plus />} size="S" disabled={!canUpdate} onClick={page.openAdd}>
      {t('apps.add')}
    </Button>
  );

  return (
    <Page title={t('page.title')} busy={page.busyAppId !== null}>
      <Header title={t('page.title')} subtitle={t('page.subtitle')} primaryAction={addButton} />
      <Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <StatusCard settings={settings} />
          <Card title={t('apps.title')}>
            {!canUpdate && <Note testId="wechat-read-only">{t('page.read-only')}</Note>}
            {hasConfigApps && <Note>{t('apps.config-note')}</Note>}
            {settings.defaultAppIdSource === 'config' && <Note>{t('apps.default-config-note')}</Note>}
            {settings.apps.length > 0 ? (
              <AppsTable settings={settings} canUpdate={canUpdate} busyAppId={page.busyAppId} actions={page.actions} />
            ) : (
              <EmptyState content={t('apps.empty')} action={addButton} />
            )}
            {page.result && <TestResult result={page.result} onClose={page.clearResult} />}
          </Card>
          <ActivityPanel host={activity} />
        </Flex>
      </Content>
      {(overlay?.kind === 'add' || overlay?.kind === 'edit') && (
        <AppFormModal
          key={overlay.kind === 'edit' ? overlay.app.appId : 'add'}
          app={overlay.kind === 'edit' ? overlay.app : null}
          onClose={page.close}
          onSaved={page.saved}
        />
      )}
      {overlay?.kind === 'remove' && (
        <RemoveAppDialog
          app={overlay.app}
          removing={page.busyAppId === overlay.app.appId}
          onCancel={page.close}
          onConfirm={() => void page.remove(overlay.app)}
        />
      )}
    </Page>
  );
}
