import { Box, Flex, Grid, IconButton, Status, Typography } from '@strapi/design-system';
import { Duplicate } from '@strapi/icons';
import { useClipboard, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import type { SettingsView } from '../api';
import { backendUrl } from '../../utils/backend-url';
import { getTrad } from '../../utils/get-trad';

/** Configured or not, which app a login without an appId uses, and the URL a mini program logs in at. */
export function StatusCard({ settings }: { settings: SettingsView }) {
  const { formatMessage } = useIntl();
  const { toggleNotification } = useNotification();
  const { copy } = useClipboard();
  const loginUrl = settings.login.url ?? `${backendUrl()}${settings.login.path}`;
  const defaultApp: { appId: string; name: string | null } | null =
    settings.apps.find((app) => app.appId === settings.defaultAppId) ?? (settings.defaultAppId ? { appId: settings.defaultAppId, name: null } : null);

  async function copyLoginUrl() {
    if (await copy(loginUrl)) {
      toggleNotification({ type: 'info', message: formatMessage({ id: getTrad('status.login-url.copied'), defaultMessage: 'Login URL copied' }) });
    }
  }

  const label = (id: string) => (
    <Typography variant="sigma" textColor="neutral600" tag="dt">
      {formatMessage({ id: getTrad(id) })}
    </Typography>
  );

  return (
    <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7}>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Typography variant="delta" tag="h2">
          {formatMessage({ id: getTrad('status.title') })}
        </Typography>
        <Grid.Root gap={6} tag="dl">
          <Grid.Item col={3} s={12} direction="column" alignItems="flex-start" gap={2}>
            {label('status.state.label')}
            <Status variant={settings.configured ? 'success' : 'danger'} size="S" data-testid="wechat-status">
              <Typography fontWeight="bold" textColor={settings.configured ? 'success700' : 'danger700'} tag="dd">
                {formatMessage({ id: getTrad(settings.configured ? 'status.configured' : 'status.not-configured') })}
              </Typography>
            </Status>
          </Grid.Item>
          <Grid.Item col={3} s={12} direction="column" alignItems="flex-start" gap={2}>
            {label('status.default.label')}
            <Flex direction="column" alignItems="flex-start" gap={1} tag="dd" data-testid="wechat-default-app">
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
                      {formatMessage({ id: getTrad(`status.default.source.${settings.defaultAppIdSource}`) })}
                    </Typography>
                  )}
                </>
              ) : (
                <Typography>{formatMessage({ id: getTrad('status.default.none') })}</Typography>
              )}
            </Flex>
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="flex-start" gap={2}>
            {label('status.login-url.label')}
            <Flex gap={2} tag="dd">
              <Box background="neutral100" hasRadius paddingTop={1} paddingBottom={1} paddingLeft={2} paddingRight={2}>
                <Typography variant="omega" fontWeight="semiBold" data-testid="wechat-login-url" style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                  POST {loginUrl}
                </Typography>
              </Box>
              <IconButton variant="ghost" label={formatMessage({ id: getTrad('status.login-url.copy') })} onClick={() => void copyLoginUrl()}>
                <Duplicate />
              </IconButton>
            </Flex>
            <Typography variant="pi" textColor="neutral600">
              {formatMessage({ id: getTrad('status.login-url.hint') })}
            </Typography>
          </Grid.Item>
        </Grid.Root>
      </Flex>
    </Box>
  );
}
