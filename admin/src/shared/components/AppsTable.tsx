import { Badge, Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { Pencil, Play, Star, Trash } from '@strapi/icons';
import { useIntl } from 'react-intl';
import type { AppView, SettingsView } from '../api/settings';
import { useKit } from '../kit';
import { appLabel } from '../../utils/app-label';
import { getTrad } from '../../utils/get-trad';
import { TableHead } from './TableHead';

export interface AppActions {
  onTest(app: AppView): void;
  onEdit(app: AppView): void;
  onMakeDefault(app: AppView): void;
  onRemove(app: AppView): void;
}

const COLUMNS = ['name', 'appId', 'appSecret', 'source', 'identities'] as const;
/** The table keeps every cell on one line: the source may wrap and a long name is cut (in full on hover), so that the table fits the page. */
const WRAP = { whiteSpace: 'normal' } as const;
const NAME = { maxWidth: '14rem' } as const;

/** The mini programs this Strapi serves: one row each, with what the current admin may do to it. */
export function AppsTable({
  settings,
  canUpdate,
  busyAppId,
  actions,
}: {
  settings: SettingsView;
  canUpdate: boolean;
  busyAppId: string | null;
  actions: AppActions;
}) {
  const RowButton = useKit().IconButton;
  const { formatMessage, formatNumber, formatDate } = useIntl();
  const t = (id: string, values?: Record<string, string | number>) => formatMessage({ id: getTrad(id) }, values);
  const defaultFromConfig = settings.defaultAppIdSource === 'config';

  /** One read-only line on the app's access token: valid until when, expired, or not fetched yet; the last WeChat errcode. */
  function tokenText(app: AppView): string {
    const { token } = app;
    const time = (iso: string) => formatDate(iso, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const state =
      token.cached && token.expiresAt
        ? t('apps.token.cached', { time: time(token.expiresAt) })
        : token.expiresAt
          ? t('apps.token.expired', { time: time(token.expiresAt) })
          : t('apps.token.none');
    return token.lastErrcode === null ? state : `${state} · ${t('apps.token.error', { errcode: token.lastErrcode })}`;
  }

  function sourceText(app: AppView): string {
    if (app.source === 'config' && app.appSecret.source === 'store') return t('apps.source.config-secret-store');
    return t(`apps.source.${app.source}`);
  }

  return (
    <Table colCount={COLUMNS.length + 1} rowCount={settings.apps.length + 1}>
      <TableHead labels={COLUMNS.map((column) => t(`apps.column.${column}`))} actionsLabel={t('apps.column.actions')} />
      <Tbody>
        {settings.apps.map((app) => {
          const label = appLabel(app);
          const busy = busyAppId === app.appId;
          const editable = app.source === 'store' || app.appSecret.source !== 'config';
          const removable = app.source === 'store';
          const defaultLabel = app.isDefault
            ? t('apps.action.is-default', { app: label })
            : defaultFromConfig
              ? t('apps.action.default-from-config')
              : t('apps.action.make-default', { app: label });
          return (
            <Tr key={app.appId} data-testid={`wechat-app-${app.appId}`}>
              <Td>
                <Flex gap={2} paddingLeft={3}>
                  <Typography fontWeight="semiBold" textColor={app.name ? 'neutral800' : 'neutral500'} ellipsis style={NAME} title={app.name ?? undefined}>
                    {app.name || t('apps.unnamed')}
                  </Typography>
                  {app.isDefault && (
                    <Badge active data-testid="wechat-default-badge">
                      {t('apps.default')}
                    </Badge>
                  )}
                </Flex>
              </Td>
              <Td>
                <Flex direction="column" alignItems="flex-start" gap={1}>
                  <Typography textColor="neutral800" style={{ fontFamily: 'monospace' }}>
                    {app.appId}
                  </Typography>
                  <Typography
                    variant="pi"
                    textColor={app.token.lastErrcode === null ? 'neutral600' : 'danger600'}
                    data-testid="wechat-token-status"
                    title={app.token.refreshedAt ? formatDate(app.token.refreshedAt, { dateStyle: 'medium', timeStyle: 'short' }) : undefined}
                  >
                    {tokenText(app)}
                  </Typography>
                </Flex>
              </Td>
              <Td>
                {app.appSecret.isSet ? (
                  <Typography textColor="neutral800" style={{ fontFamily: 'monospace' }} title={t('apps.secret.set', { last4: app.appSecret.last4 ?? '' })}>
                    ••••{app.appSecret.last4 ?? ''}
                  </Typography>
                ) : (
                  <Typography textColor="danger600" fontWeight="semiBold">
                    {t(app.appSecret.unreadable ? 'apps.secret.unreadable' : 'apps.secret.not-set')}
                  </Typography>
                )}
              </Td>
              <Td>
                <Typography textColor="neutral800" style={WRAP}>
                  {sourceText(app)}
                </Typography>
              </Td>
              <Td>
                <Typography textColor="neutral800">{formatNumber(app.identities)}</Typography>
              </Td>
              <Td>
                <Flex gap={1} justifyContent="flex-end">
                  <RowButton
                    label={t('apps.action.test', { app: label })}
                    icon={<Play />}
                    disabled={!canUpdate || busy || !app.appSecret.isSet}
                    onClick={() => actions.onTest(app)}
                  />
                  <RowButton
                    label={editable ? t('apps.action.edit', { app: label }) : t('apps.action.edit-from-config', { app: label })}
                    icon={<Pencil />}
                    disabled={!canUpdate || !editable}
                    onClick={() => actions.onEdit(app)}
                  />
                  <RowButton
                    label={defaultLabel}
                    icon={<Star />}
                    disabled={!canUpdate || busy || app.isDefault || defaultFromConfig}
                    onClick={() => actions.onMakeDefault(app)}
                  />
                  <RowButton
                    label={removable ? t('apps.action.remove', { app: label }) : t('apps.action.remove-from-config', { app: label })}
                    icon={<Trash />}
                    disabled={!canUpdate || !removable}
                    onClick={() => actions.onRemove(app)}
                  />
                </Flex>
              </Td>
            </Tr>
          );
        })}
      </Tbody>
    </Table>
  );
}
