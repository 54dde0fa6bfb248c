import { Button, Dialog, Flex, Typography } from '@strapi/design-system';
import { Trash, WarningCircle } from '@strapi/icons';
import { useIntl } from 'react-intl';
import type { AppView } from '../api';
import { appLabel } from '../../utils/app-label';
import { getTrad } from '../../utils/get-trad';

/** "Remove this app?": says what becomes of the users who logged in with it before anything is removed. */
export function RemoveAppDialog({ app, removing, onCancel, onConfirm }: { app: AppView; removing: boolean; onCancel: () => void; onConfirm: () => void }) {
  const { formatMessage } = useIntl();
  const t = (id: string, values?: Record<string, string | number>) => formatMessage({ id: getTrad(id) }, values);
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onCancel()}>
      <Dialog.Content>
        <Dialog.Header>{t('remove.title')}</Dialog.Header>
        <Dialog.Body icon={<WarningCircle fill="danger600" />}>
          <Flex direction="column" alignItems="stretch" gap={3} data-testid="wechat-remove-dialog">
            <Typography textAlign="center" fontWeight="semiBold">
              {t('remove.what', { app: appLabel(app), appId: app.appId })}
            </Typography>
            <Typography textAlign="center">{t('remove.identities', { count: app.identities })}</Typography>
            <Typography textAlign="center">{t('remove.refused')}</Typography>
          </Flex>
        </Dialog.Body>
        <Dialog.Footer>
          <Dialog.Cancel>
            <Button variant="tertiary" fullWidth onClick={onCancel}>
              {t('remove.cancel')}
            </Button>
          </Dialog.Cancel>
          {/* Not Dialog.Action: that would close the dialog before the removal is done (or refused). */}
          <Button variant="danger-light" fullWidth startIcon={<Trash />} loading={removing} disabled={removing} onClick={onConfirm}>
            {t('remove.confirm')}
          </Button>
        </Dialog.Footer>
      </Dialog.Content>
    </Dialog.Root>
  );
}
