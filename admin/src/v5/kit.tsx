// The AdminKit (../shared/kit.tsx) on Strapi 5: Design System 2 and @strapi/strapi/admin.
import { useMemo } from 'react';
import {
  Button,
  Dialog,
  EmptyStateLayout,
  Field,
  Grid,
  IconButton,
  Link,
  Modal,
  SingleSelect,
  SingleSelectOption,
  Status,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import { isFetchError, Layouts, Page, useAPIErrorHandler, useClipboard, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { NavLink } from 'react-router-dom';
import type { AdminKit, Permission } from '../shared/kit';
import { activityHostV5 } from './activity-host';

/** The key of an action in useRBAC's `allowedActions`: `can` + its last part, hyphens removed and capitalised. */
const allowedKey = ({ action }: Permission) =>
  `can${(action.split('.').pop() ?? '')
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}`;

export const kit: AdminKit = {
  activity: activityHostV5,
  Page: ({ title, busy = false, children }) => (
    <Page.Main aria-busy={busy}>
      <Page.Title>{title}</Page.Title>
      {children}
    </Page.Main>
  ),
  Header: ({ title, subtitle, primaryAction }) => <Layouts.Header title={title} subtitle={subtitle} primaryAction={primaryAction} />,
  Content: ({ children }) => <Layouts.Content>{children}</Layouts.Content>,
  Loading: () => <Page.Loading />,
  NoPermissions: () => <Page.NoPermissions />,
  LoadError: () => <Page.Error />,
  Heading: ({ level = 2, id, children }) => (
    <Typography variant="delta" tag={`h${level}`} id={id}>
      {children}
    </Typography>
  ),
  Grid: ({ gap, children }) => <Grid.Root gap={gap}>{children}</Grid.Root>,
  GridItem: ({ col, s, alignItems = 'stretch', children }) => (
    <Grid.Item col={col} s={s} direction="column" alignItems={alignItems} gap={2}>
      {children}
    </Grid.Item>
  ),
  IconButton: ({ label, icon, disabled, ghost, onClick }) => (
    <IconButton label={label} disabled={disabled} variant={ghost ? 'ghost' : undefined} onClick={onClick}>
      {icon}
    </IconButton>
  ),
  Status: ({ variant, testId, children }) => (
    <Status variant={variant} size="S" data-testid={testId}>
      {children}
    </Status>
  ),
  // No icon: Strapi 5 moved EmptyDocuments to @strapi/icons/symbols, which Strapi 4's icons lack (its webpack build
  // bundles this chunk too, and would fail on the import).
  EmptyState: ({ content, action }) => <EmptyStateLayout content={content} action={action} shadow={undefined} />,
  TextField: ({ name, label, hint, error, required, ...input }) => (
    <Field.Root name={name} hint={hint} error={error} required={required}>
      <Field.Label>{label}</Field.Label>
      <TextInput name={name} {...input} />
      <Field.Hint />
      <Field.Error />
    </Field.Root>
  ),
  Select: ({ name, label, hint, value, options, onChange, disabled, small, testId }) => (
    <Field.Root name={name} hint={hint}>
      <Field.Label>{label}</Field.Label>
      <SingleSelect value={value} disabled={disabled} onChange={(next) => onChange(String(next))} size={small ? 'S' : 'M'} data-testid={testId}>
        {options.map((option) => (
          <SingleSelectOption key={option.value} value={option.value}>
            {option.label}
          </SingleSelectOption>
        ))}
      </SingleSelect>
      <Field.Hint />
    </Field.Root>
  ),
  FormModal: ({ title, closeLabel, onClose, onSubmit, testId, start, end, children }) => (
    <Modal.Root open onOpenChange={(open) => !open && onClose()}>
      <Modal.Content>
        <form onSubmit={onSubmit} noValidate data-testid={testId}>
          <Modal.Header closeLabel={closeLabel}>
            <Modal.Title>{title}</Modal.Title>
          </Modal.Header>
          <Modal.Body>{children}</Modal.Body>
          <Modal.Footer>
            {start}
            {end}
          </Modal.Footer>
        </form>
      </Modal.Content>
    </Modal.Root>
  ),
  ConfirmDialog: ({ title, onCancel, cancelLabel, confirm, children }) => (
    <Dialog.Root open onOpenChange={(open) => !open && onCancel()}>
      <Dialog.Content>
        <Dialog.Header>{title}</Dialog.Header>
        <Dialog.Body icon={<WarningCircle fill="danger600" />}>{children}</Dialog.Body>
        <Dialog.Footer>
          <Dialog.Cancel>
            <Button variant="tertiary" fullWidth onClick={onCancel}>
              {cancelLabel}
            </Button>
          </Dialog.Cancel>
          {/* Not Dialog.Action: that would close the dialog before the action is done (or refused). */}
          {confirm}
        </Dialog.Footer>
      </Dialog.Content>
    </Dialog.Root>
  ),
  AdminLink: ({ to, testId, children }) => (
    <Link tag={NavLink} to={to} data-testid={testId}>
      {children}
    </Link>
  ),

  contentManagerUserPath: (user) => `/content-manager/collection-types/plugin::users-permissions.user/${user.documentId ?? user.id}`,

  useNotify() {
    const { toggleNotification } = useNotification();
    return useMemo(() => (type, message) => toggleNotification({ type, message }), [toggleNotification]);
  },
  useRBAC(permissions) {
    const all = useMemo(() => Object.values<Permission[]>(permissions).flat(), [permissions]);
    const { isLoading, allowedActions } = useRBAC(all);
    const allowed = Object.fromEntries(Object.entries<Permission[]>(permissions).map(([key, [first]]) => [key, Boolean(allowedActions[allowedKey(first)])]));
    return { isLoading, allowed: allowed as Record<keyof typeof permissions, boolean> };
  },
  useFetchClient() {
    // Strapi 5's fetch client is memoised for the component's life, so effects can depend on it.
    const { get, put, post, del } = useFetchClient();
    return useMemo(() => ({ get, put, post, del }), [get, put, post, del]);
  },
  useErrorMessage() {
    const { formatAPIError } = useAPIErrorHandler();
    return (error) => (isFetchError(error) ? formatAPIError(error) : error instanceof Error ? error.message : String(error));
  },
  useClipboard() {
    const { copy } = useClipboard();
    return { copy: async (text) => Boolean(await copy(text)) };
  },
  usePageFocus() {
    // Strapi 5's layout moves the focus itself.
  },
};
