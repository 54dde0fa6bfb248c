import { Box, Flex, Typography } from '@strapi/design-system';
import { Duplicate } from '@strapi/icons';
import type { SettingsView } from '../api/settings';
import { useT } from '../hooks/use-translate';
import { useKit } from '../kit';
import { backendUrl } from '../../utils/backend-url';
import { Card, Term } from './Card';

/** Configured or not, which app a login without an appId uses, and the URL a mini program logs in at. */
export function StatusCard({ settings }: { settings: SettingsView }) {
  const kit = useKit();
  const { Grid, GridItem, IconButton, Status } = kit;
  const t = useT();
  const notify = kit.useNotify();
  const { copy } = kit.useClipboard();
  const loginUrl = settings.login.url ?? `${backendUrl()}${settings.login.path}`;
  const defaultApp: { appId: string; name: string | null } | null =
    settings.apps.find((app) => app.appId === settings.defaultAppId) ?? (settings.defaultAppId ? { appId: settings.defaultAppId, name: null } : null);

  async function copyLoginUrl() {
    if (await copy(loginUrl)) notify('info', t('status.login-url.copied'));
  }

  return (
    <Card title={t('status.title')}>
      <Grid gap={6}>
        <GridItem col={3} s={12} alignItems="flex-start">
          <Term>{t('status.state.label')}</Term>
          <Status variant={settings.configured ? 'success' : 'danger'} testId="wechat-status">
            <Typography fontWeight="bold" textColor={settings.configured ? 'success700' : 'danger700'}>
              {t(settings.configured ? 'status.configured' : 'status.not-configured')}
            </Typography>
          </Status>
        </GridItem>
        <GridItem col={3} s={12} alignItems="flex-start">
          <Term>{t('status.default.label')}</Term>
          <Flex direction="column" alignItems="flex-start" gap={1} data-testid="wechat-default-app">
            {defaultApp ? (
              <>
                <Typography fontWeight="semiBold">{defaultApp.name || defaultApp.appId}</Typography>
                {defaultApp.name && (
                  <Typography variant="pi" textColor="neutral600" style={{ fontFamily: 'monospace' }}>
                    {defaultApp.appId}
                  </Typography>
                )}
                {settings.defaultAppIdSource && (
                  <Typography variant="pi" textColor="neutral600">
                    {t(`status.default.source.${settings.defaultAppIdSource}`)}
                  </Typography>
                )}
              </>
            ) : (
              <Typography>{t('status.default.none')}</Typography>
            )}
          </Flex>
        </GridItem>
        <GridItem col={6} s={12} alignItems="flex-start">
          <Term>{t('status.login-url.label')}</Term>
          <Flex gap={2}>
            <Box background="neutral100" hasRadius paddingTop={1} paddingBottom={1} paddingLeft={2} paddingRight={2}>
              <Typography variant="omega" fontWeight="semiBold" data-testid="wechat-login-url" style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                POST {loginUrl}
              </Typography>
            </Box>
            <IconButton ghost label={t('status.login-url.copy')} icon={<Duplicate />} onClick={() => void copyLoginUrl()} />
          </Flex>
          <Typography variant="pi" textColor="neutral600">
            {t('status.login-url.hint')}
          </Typography>
        </GridItem>
      </Grid>
    </Card>
  );
}
