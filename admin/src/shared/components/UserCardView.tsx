import type { ReactNode } from 'react';
import { Badge, Box, Button, Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { Cross, Trash } from '@strapi/icons';
import { useIntl } from 'react-intl';
import type { UserAction, UserView } from '../api/users';
import type { PendingAction } from '../hooks/use-users-view';
import { useT } from '../hooks/use-translate';
import { useKit } from '../kit';
import { backendUrl } from '../../utils/backend-url';
import { Card, Term } from './Card';
import { Note } from './Note';
import { TableHead } from './TableHead';

const MONO = { fontFamily: 'monospace', wordBreak: 'break-all' } as const;
const IDENTITY_COLUMNS = ['app', 'openid', 'unionid', 'first', 'last'] as const;

/** A Media Library URL as the browser loads it: relative ones (the local provider) are on the Strapi server. */
const mediaUrl = (url: string) => (/^https?:\/\//.test(url) ? url : `${backendUrl()}${url}`);

function Value({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  const { GridItem } = useKit();
  return (
    <GridItem col={4} s={12} alignItems="flex-start">
      <Term>{label}</Term>
      <Box data-testid={testId}>{children}</Box>
    </GridItem>
  );
}

/**
 * One person: their Strapi user, profile, phone binding and identities per app, with the actions the admin may take
 * (each disabled without its permission) and the latest actions taken.
 */
export function UserCardView({
  user,
  canAct,
  may,
  onAction,
  onClose,
}: {
  user: UserView;
  canAct: boolean;
  may: (kind: PendingAction['kind']) => boolean;
  onAction: (action: PendingAction) => void;
  onClose: () => void;
}) {
  const kit = useKit();
  const { Grid, AdminLink } = kit;
  const t = useT();
  const { formatDate } = useIntl();
  const date = (iso: string | null) => (iso ? formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' }) : '—');
  const hasNickname = Boolean(user.nickname || user.loginNickname);
  const hasAvatar = Boolean(user.avatar || user.loginAvatarUrl);
  const avatarUrl = user.avatar ? mediaUrl(user.avatar.thumbnailUrl ?? user.avatar.url) : user.loginAvatarUrl;

  const action = (kind: UserAction, enabled: boolean, variant: 'secondary' | 'danger-light' = 'secondary') => (
    <Button variant={variant} size="S" disabled={!may(kind) || !enabled} onClick={() => onAction({ kind })} data-testid={`wechat-user-${kind}`}>
      {t(`users.action.${kind}`)}
    </Button>
  );

  return (
    <Card title={t('users.card.title', { user: user.nickname || user.username || `#${user.id}` })} testId="wechat-user-card">
      <Flex gap={2} wrap="wrap">
        {user.blocked && <Badge data-testid="wechat-user-blocked">{t('users.blocked')}</Badge>}
        <AdminLink to={kit.contentManagerUserPath(user)} testId="wechat-user-cm-link">
          {t('users.card.content-manager')}
        </AdminLink>
        <Box style={{ marginLeft: 'auto' }}>
          <Button variant="tertiary" size="S" startIcon={<Cross />} onClick={onClose}>
            {t('users.card.close')}
          </Button>
        </Box>
      </Flex>
      {!canAct && <Note testId="wechat-users-read-only">{t('users.read-only')}</Note>}
      <Grid gap={5}>
        <Value label={t('users.card.user')}>
          <Typography textColor="neutral800">
            #{user.id} {user.username ?? ''}
          </Typography>
          {user.email && (
            <Typography variant="pi" textColor="neutral600">
              {' '}
              {user.email}
            </Typography>
          )}
        </Value>
        <Value label={t('users.card.nickname')} testId="wechat-user-nickname">
          <Typography textColor={hasNickname ? 'neutral800' : 'neutral500'}>{user.nickname ?? user.loginNickname ?? t('users.card.none')}</Typography>
          {!user.nickname && user.loginNickname && (
            <Typography variant="pi" textColor="neutral600">
              {' '}
              ({t('users.card.from-login')})
            </Typography>
          )}
        </Value>
        <Value label={t('users.card.avatar')}>
          {avatarUrl ? (
            <img
              src={avatarUrl}
              alt={t('users.card.avatar')}
              width={48}
              height={48}
              style={{ borderRadius: '50%', objectFit: 'cover' }}
              data-testid="wechat-user-avatar"
            />
          ) : (
            <Typography textColor="neutral500">{t('users.card.none')}</Typography>
          )}
        </Value>
        <Value label={t('users.card.phone')} testId="wechat-user-phone">
          <Typography textColor={user.phone ? 'neutral800' : 'neutral500'} style={MONO}>
            {user.phone ? `${user.phone.countryCode ? `+${user.phone.countryCode} ` : ''}${user.phone.maskedNumber}` : t('users.card.none')}
          </Typography>
          {user.phone?.verifiedAt && (
            <Typography variant="pi" textColor="neutral600">
              {' '}
              {t('users.card.verified', { date: date(user.phone.verifiedAt) })}
            </Typography>
          )}
        </Value>
        <Value label={t('users.card.unionid')}>
          <Typography textColor={user.unionid ? 'neutral800' : 'neutral500'} style={MONO}>
            {user.unionid ?? t('users.card.none')}
          </Typography>
        </Value>
        <Value label={t('users.card.created')}>
          <Typography textColor="neutral800">{date(user.createdAt)}</Typography>
        </Value>
      </Grid>
      <Flex gap={2} wrap="wrap" data-testid="wechat-user-actions">
        {action('clear-nickname', hasNickname)}
        {action('clear-avatar', hasAvatar)}
        {action('unbind-phone', Boolean(user.phone))}
        {user.blocked ? action('unblock', true) : action('block', true, 'danger-light')}
      </Flex>
      <Typography variant="delta" textColor="neutral800">
        {t('users.identities.title', { count: user.identities.length })}
      </Typography>
      {user.identities.length === 0 ? (
        <Typography textColor="neutral600">{t('users.identities.none')}</Typography>
      ) : (
        <Table colCount={IDENTITY_COLUMNS.length + 1} rowCount={user.identities.length + 1} data-testid="wechat-user-identities">
          <TableHead labels={IDENTITY_COLUMNS.map((column) => t(`users.identities.column.${column}`))} actionsLabel={t('users.column.actions')} />
          <Tbody>
            {user.identities.map((identity) => (
              <Tr key={identity.id} data-testid={`wechat-identity-${identity.appId}`}>
                <Td>
                  <Flex direction="column" alignItems="flex-start" gap={1}>
                    <Typography fontWeight="semiBold" textColor="neutral800">
                      {identity.appName || identity.appId}
                    </Typography>
                    {identity.appName && (
                      <Typography variant="pi" textColor="neutral600" style={MONO}>
                        {identity.appId}
                      </Typography>
                    )}
                  </Flex>
                </Td>
                <Td>
                  <Typography textColor="neutral800" style={MONO}>
                    {identity.openid}
                  </Typography>
                </Td>
                <Td>
                  <Typography textColor={identity.unionid ? 'neutral800' : 'neutral500'} style={MONO}>
                    {identity.unionid ?? '—'}
                  </Typography>
                </Td>
                <Td>
                  <Typography textColor="neutral800">{date(identity.firstLoginAt)}</Typography>
                </Td>
                <Td>
                  <Typography textColor="neutral800">{date(identity.lastLoginAt)}</Typography>
                </Td>
                <Td>
                  <Button
                    variant="danger-light"
                    size="S"
                    startIcon={<Trash />}
                    disabled={!may('detach')}
                    onClick={() => onAction({ kind: 'detach', identity })}
                    data-testid="wechat-identity-detach"
                  >
                    {t('users.action.detach')}
                  </Button>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      {user.audit.length > 0 && (
        <Flex direction="column" alignItems="stretch" gap={2} data-testid="wechat-user-audit">
          <Typography variant="delta" textColor="neutral800">
            {t('users.audit.title')}
          </Typography>
          {user.audit.map((entry) => (
            <Typography key={entry.id} variant="pi" textColor="neutral700">
              {t('users.audit.entry', {
                date: date(entry.createdAt),
                admin: entry.adminEmail ?? `#${entry.adminUserId ?? '?'}`,
                action: t(`users.action.${entry.action === 'detach-identity' ? 'detach' : entry.action}`),
              })}
              {entry.action === 'detach-identity' && typeof entry.details.appId === 'string' ? ` (${entry.details.appId})` : ''}
            </Typography>
          ))}
        </Flex>
      )}
    </Card>
  );
}
