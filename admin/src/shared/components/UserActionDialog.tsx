import { Button, Flex, Typography } from '@strapi/design-system';
import type { UserView } from '../api/users';
import type { PendingAction } from '../hooks/use-users-view';
import { useT } from '../hooks/use-translate';
import { useKit } from '../kit';

/** "Clear this nickname?" and the like: what the action does, before it is done. */
export function UserActionDialog({
  user,
  action,
  running,
  onCancel,
  onConfirm,
}: {
  user: UserView;
  action: PendingAction;
  running: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { ConfirmDialog } = useKit();
  const t = useT();
  const values = {
    user: user.nickname || user.username || `#${user.id}`,
    app: action.kind === 'detach' ? action.identity.appName || action.identity.appId : '',
  };
  return (
    <ConfirmDialog
      title={t(`users.action.${action.kind}`)}
      onCancel={onCancel}
      cancelLabel={t('users.confirm.cancel')}
      confirm={
        <Button variant="danger-light" fullWidth loading={running} disabled={running} onClick={onConfirm} data-testid="wechat-user-confirm">
          {t('users.confirm.ok')}
        </Button>
      }
    >
      <Flex direction="column" alignItems="stretch" gap={3} data-testid="wechat-user-dialog">
        <Typography textAlign="center" fontWeight="semiBold">
          {t(`users.confirm.${action.kind}`, values)}
        </Typography>
        <Typography textAlign="center">{t(`users.confirm.${action.kind}.effect`, values)}</Typography>
      </Flex>
    </ConfirmDialog>
  );
}
