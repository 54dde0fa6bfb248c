// The AdminKit (../shared/kit.tsx) on Strapi 4: Design System 1 and @strapi/helper-plugin (through ./helper-plugin).
// This file and ./pages are compiled to CommonJS (tsconfig.build.json): see ../index.tsx.
import { useMemo } from 'react';
import {
  Button,
  ContentLayout,
  Dialog,
  DialogBody,
  DialogFooter,
  EmptyStateLayout,
  Flex,
  Grid,
  GridItem,
  HeaderLayout,
  IconButton,
  Link,
  Main,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalLayout,
  SingleSelect,
  SingleSelectOption,
  Status,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { EmptyDocuments, ExclamationMarkCircle } from '@strapi/icons';
import type { AdminKit } from '../shared/kit';
import {
  AnErrorOccurred,
  LoadingIndicatorPage,
  NoPermissions,
  SettingsPageTitle,
  useAPIErrorHandler,
  useClipboard,
  useFetchClient,
  useFocusWhenNavigate,
  useNotification,
  useRBAC,
} from './helper-plugin';
import { activityHostV4 } from './activity-host';

const MODAL_TITLE_ID = 'wechat-modal-title';

type ApiFailure = Parameters<ReturnType<typeof useAPIErrorHandler>['formatAPIError']>[0];
const isApiFailure = (error: unknown): error is ApiFailure => typeof error === 'object' && error !== null && 'isAxiosError' in error;

export const kit: AdminKit = {
  activity: activityHostV4,
  Page: ({ title, busy = false, children }) => (
    <Main aria-busy={busy}>
      <SettingsPageTitle name={title} />
      {children}
    </Main>
  ),
  Header: ({ title, subtitle, primaryAction }) => <HeaderLayout title={title} subtitle={subtitle} primaryAction={primaryAction} />,
  Content: ({ children }) => <ContentLayout>{children}</ContentLayout>,
  Loading: () => <LoadingIndicatorPage />,
  NoPermissions: () => <NoPermissions action={null} />,
  LoadError: () => <AnErrorOccurred />,
  Heading: ({ level = 2, id, children }) => (
    <Typography variant="delta" as={`h${level}`} id={id}>
      {children}
    </Typography>
  ),
  Grid: ({ gap, children }) => <Grid gap={gap}>{children}</Grid>,
  GridItem: ({ col, s, alignItems = 'stretch', children }) => (
    <GridItem col={col} s={s}>
      <Flex direction="column" alignItems={alignItems} gap={2}>
        {children}
      </Flex>
    </GridItem>
  ),
  IconButton: ({ label, icon, disabled, ghost, onClick }) => <IconButton label={label} icon={icon} disabled={disabled} noBorder={ghost} onClick={onClick} />,
  Status: ({ variant, testId, children }) => (
    <Status variant={variant} showBullet={false} size="S" data-testid={testId}>
      {children}
    </Status>
  ),
  EmptyState: ({ content, action }) => <EmptyStateLayout icon={<EmptyDocuments width="10rem" />} content={content} action={action} shadow={undefined} />,
  TextField: ({ onChange, ...props }) => <TextInput {...props} onChange={onChange} />,
  Select: ({ name, label, hint, value, options, onChange, disabled, small, testId }) => (
    <SingleSelect
      name={name}
      label={label}
      hint={hint}
      value={value}
      disabled={disabled}
      onChange={(next: string | number) => onChange(String(next))}
      size={small ? 'S' : 'M'}
      data-testid={testId}
    >
      {options.map((option) => (
        <SingleSelectOption key={option.value} value={option.value}>
          {option.label}
        </SingleSelectOption>
      ))}
    </SingleSelect>
  ),
  FormModal: ({ title, closeLabel, onClose, onSubmit, testId, start, end, children }) => (
    <ModalLayout onClose={onClose} labelledBy={MODAL_TITLE_ID}>
      <form onSubmit={onSubmit} noValidate data-testid={testId}>
        <ModalHeader closeLabel={closeLabel}>
          <Typography fontWeight="bold" textColor="neutral800" as="h2" id={MODAL_TITLE_ID}>
            {title}
          </Typography>
        </ModalHeader>
        <ModalBody>{children}</ModalBody>
        <ModalFooter startActions={start} endActions={end} />
      </form>
    </ModalLayout>
  ),
  ConfirmDialog: ({ title, onCancel, cancelLabel, confirm, children }) => (
    <Dialog onClose={onCancel} title={title} isOpen>
      <DialogBody icon={<ExclamationMarkCircle />}>{children}</DialogBody>
      <DialogFooter
        startAction={
          <Button variant="tertiary" onClick={onCancel}>
            {cancelLabel}
          </Button>
        }
        endAction={confirm}
      />
    </Dialog>
  ),
  AdminLink: ({ to, testId, children }) => (
    <Link to={to} data-testid={testId}>
      {children}
    </Link>
  ),

  contentManagerUserPath: (user) => `/content-manager/collectionType/plugin::users-permissions.user/${user.id}`,

  useNotify() {
    const toggleNotification = useNotification();
    return useMemo(() => (type, message) => toggleNotification({ type, message }), [toggleNotification]);
  },
  useRBAC(permissions) {
    const { isLoading, allowedActions } = useRBAC(permissions);
    const allowed = Object.fromEntries(Object.keys(permissions).map((key) => [key, Boolean(allowedActions[`can${key[0].toUpperCase()}${key.slice(1)}`])]));
    return { isLoading, allowed: allowed as Record<keyof typeof permissions, boolean> };
  },
  useFetchClient() {
    // Memoised on the fetch client's functions (stable in helper-plugin), so effects can depend on it.
    const { get, put, post, del } = useFetchClient();
    return useMemo(() => ({ get, put, post, del }), [get, put, post, del]);
  },
  useErrorMessage() {
    const { formatAPIError } = useAPIErrorHandler();
    return (error) => (isApiFailure(error) ? formatAPIError(error) : error instanceof Error ? error.message : String(error));
  },
  useClipboard() {
    const { copy } = useClipboard();
    return { copy: async (text) => Boolean(await copy(text)) };
  },
  usePageFocus() {
    useFocusWhenNavigate();
  },
};
