import { Button, Flex, Typography } from '@strapi/design-system';
import { Trash } from '@strapi/icons';
import type { AppView } from '../api/settings';
import { useT } from '../hooks/use-translate';
import { useKit } from '../kit';
import { appLabel } from '../../utils/app-label';

/** "Remove this app?": says what becomes of the users who logged in with it before anything is removed. */
export function RemoveAppDialog({ app, removing, onCancel, onConfirm }: { app: AppView; removing: boolean; onCancel: () => void; onConfirm: () => void }) {
  const { ConfirmDialog } = useKit();
  const t = useT();
  return (
    <ConfirmDialog
      title={t('remove.title')}
      onCancel={onCancel}
      cancelLabel={t('remove.cancel')}
      confirm={
        <Button variant="danger-light" fullWidth startIcon={<Trash />} loading={removing} disabled={removing} onClick={onConfirm}>
          {t('remove.confirm')}
        </Button>
      }
    >
      <Flex direction="column" alignItems="stretch" gap={3} data-testid="wechat-remove-dialog">
        <Typography textAlign="center" fontWeight="semiBold">
          {t('remove.what', { app: appLabel(app), appId: app.appId })}
        </Typography>
        <Typography textAlign="center">{t('remove.identities', { count: app.identities })}</Typography>
        <Typography textAlign="center">{t('remove.refused')}</Typography>
      </Flex>
    </ConfirmDialog>
  );
}
