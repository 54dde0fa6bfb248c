import { Box, Flex, Grid, GridItem, IconButton, Status, Typography } from '@strapi/design-system';
import { useClipboard, useNotification } from '@strapi/helper-plugin';
import { Duplicate } from '@strapi/icons';
import { useIntl } from 'react-intl';
import type { SettingsView } from '../api/settings';
import { backendUrl } from '../utils/backend-url';
import { getTrad } from '../utils/get-trad';

function sourceKey(settings: SettingsView): string {
  const sources = new Set([settings.appId.source, settings.appSecret.source].filter(Boolean));
  if (sources.size === 0) return 'status.source.none';
  if (sources.size > 1) return 'status.source.mixed';
  return sources.has('config') ? 'status.source.config' : 'status.source.store';
}

/** Configured or not, where the credentials come from, and the URL a mini program logs in at. */
export function StatusCard({ settings }: { settings: SettingsView }) {
  const { formatMessage } = useIntl();
  const toggleNotification = useNotification();
  const { copy } = useClipboard();
  const loginUrl = settings.login.url ?? `${backendUrl()}${settings.login.path}`;

  const label = (id: string) => (
    <Typography variant="sigma" textColor="neutral600" as="dt">
      {formatMessage({ id: getTrad(id) })}
    </Typography>
  );

  return (
    <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7}>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Typography variant="delta" as="h2">
          {formatMessage({ id: getTrad('status.title') })}
        </Typography>
        <Grid gap={6} as="dl">
          <GridItem col={3} s={12}>
            <Flex direction="column" alignItems="flex-start" gap={2}>
              {label('status.state.label')}
              <Status variant={settings.configured ? 'success' : 'danger'} showBullet={false} size="S" data-testid="wechat-status">
                <Typography fontWeight="bold" textColor={settings.configured ? 'success700' : 'danger700'} as="dd">
                  {formatMessage({ id: getTrad(settings.configured ? 'status.configured' : 'status.not-configured') })}
                </Typography>
              </Status>
            </Flex>
          </GridItem>
          <GridItem col={3} s={12}>
            <Flex direction="column" alignItems="flex-start" gap={2}>
              {label('status.source.label')}
              <Typography as="dd" data-testid="wechat-source">
                {formatMessage({ id: getTrad(sourceKey(settings)) })}
              </Typography>
            </Flex>
          </GridItem>
          <GridItem col={6} s={12}>
            <Flex direction="column" alignItems="flex-start" gap={2}>
              {label('status.login-url.label')}
              <Flex gap={2} as="dd">
                <Box background="neutral100" hasRadius paddingTop={1} paddingBottom={1} paddingLeft={2} paddingRight={2}>
                  <Typography variant="omega" fontWeight="semiBold" data-testid="wechat-login-url" style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                    POST {loginUrl}
                  </Typography>
                </Box>
                <IconButton
                  noBorder
                  label={formatMessage({ id: getTrad('status.login-url.copy') })}
                  icon={<Duplicate />}
                  onClick={async () => {
                    if (await copy(loginUrl)) {
                      toggleNotification({ type: 'info', message: { id: getTrad('status.login-url.copied'), defaultMessage: 'Login URL copied' } });
                    }
                  }}
                />
              </Flex>
              <Typography variant="pi" textColor="neutral600">
                {formatMessage({ id: getTrad('status.login-url.hint') })}
              </Typography>
            </Flex>
          </GridItem>
        </Grid>
      </Flex>
    </Box>
  );
}
