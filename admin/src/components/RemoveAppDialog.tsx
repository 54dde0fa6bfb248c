import { Button, Dialog, DialogBody, DialogFooter, Flex, Typography } from '@strapi/design-system';
import { ExclamationMarkCircle, Trash } from '@strapi/icons';
import { useIntl } from 'react-intl';
import type { AppView } from '../api/settings';
import { appLabel } from '../utils/app-label';
import { getTrad } from '../utils/get-trad';

/** "Remove this app?": says what becomes of the users who logged in with it before anything is removed. */
export function RemoveAppDialog({ app, removing, onCancel, onConfirm }: { app: AppView; removing: boolean; onCancel: () => void; onConfirm: () => void }) {
  const { formatMessage } = useIntl();
  const t = (id: string, values?: Record<string, string | number>) => formatMessage({ id: getTrad(id) }, values);
  return (
    <Dialog onClose={onCancel} title={t('remove.title')} isOpen>
      <DialogBody icon={<ExclamationMarkCircle />}>
        <Flex direction="column" alignItems="stretch" gap={3} data-testid="wechat-remove-dialog">
          <Typography textAlign="center" fontWeight="semiBold">
            {t('remove.what', { app: appLabel(app), appId: app.appId })}
          </Typography>
          <Typography textAlign="center">{t('remove.identities', { count: app.identities })}</Typography>
          <Typography textAlign="center">{t('remove.refused')}</Typography>
        </Flex>
      </DialogBody>
      <DialogFooter
        startAction={
          <Button variant="tertiary" onClick={onCancel}>
            {t('remove.cancel')}
          </Button>
        }
        endAction={
          <Button variant="danger-light" startIcon={<Trash />} loading={removing} disabled={removing} onClick={onConfirm}>
            {t('remove.confirm')}
          </Button>
        }
      />
    </Dialog>
  );
}
