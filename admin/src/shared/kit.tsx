// What the shared pages need of the host that differs between Strapi 4 and Strapi 5: the Design System components
// whose props or structure changed between Design System 1 and 2, and the host's hooks (notifications, RBAC, the fetch
// client, error words). ../v4/kit.tsx implements it with Design System 1 and @strapi/helper-plugin, ../v5/kit.tsx with
// Design System 2 and @strapi/strapi/admin. Components that are the same on both (Box, Flex, Typography without a tag,
// Button, Badge, Table, Alert, the icons both have) are imported from @strapi/design-system and @strapi/icons directly.
import { createContext, useContext, type ComponentType, type ReactElement, type ReactNode } from 'react';
import type { ActivityHost } from '../activity/host';
import type { FetchClient } from './api/http';

export interface Permission {
  action: string;
  subject: null;
}

type Children = { children?: ReactNode };

export interface TextFieldProps {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value: string;
  onChange: (event: React.ChangeEvent<HTMLInputElement>) => void;
  type?: 'text' | 'password' | 'search';
  placeholder?: string;
  autoComplete?: string;
  spellCheck?: boolean;
  required?: boolean;
  disabled?: boolean;
}

export interface SelectProps {
  name?: string;
  label: string;
  hint?: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange(value: string): void;
  disabled?: boolean;
  /** The small size, for filters above a chart. */
  small?: boolean;
  testId?: string;
}

export interface AdminKit {
  /** The page's main landmark and its document title. */
  Page: ComponentType<Children & { title: string; busy?: boolean }>;
  Header: ComponentType<{ title: string; subtitle?: string; primaryAction?: ReactNode }>;
  Content: ComponentType<Children>;
  Loading: ComponentType;
  NoPermissions: ComponentType;
  LoadError: ComponentType;
  /** A section title (Typography variant delta) as an h2 or h3. */
  Heading: ComponentType<Children & { level?: 2 | 3; id?: string }>;
  /** The responsive 12-column grid; items stack their children in a column. */
  Grid: ComponentType<Children & { gap: number }>;
  GridItem: ComponentType<Children & { col: number; s?: number; alignItems?: 'stretch' | 'flex-start' }>;
  /** An icon button: Design System 1 takes the icon as a prop, 2 as a child. */
  IconButton: (props: { label: string; icon: ReactNode; disabled?: boolean; ghost?: boolean; onClick: () => void }) => ReactElement;
  Status: ComponentType<Children & { variant: 'success' | 'danger'; testId?: string }>;
  EmptyState: ComponentType<{ content: string; action?: ReactNode }>;
  TextField: ComponentType<TextFieldProps>;
  /** A labelled single select (the label is a prop on Design System 1, a Field on 2). */
  Select: ComponentType<SelectProps>;
  /** A modal holding a form: header with the title, body, footer with actions on both sides. */
  FormModal: ComponentType<
    Children & {
      title: string;
      closeLabel: string;
      onClose: () => void;
      onSubmit: (event: React.FormEvent) => void;
      testId?: string;
      start: ReactNode;
      end: ReactNode;
    }
  >;
  /** A confirmation dialog with a warning icon; `confirm` is the confirming button (it does not close the dialog). */
  ConfirmDialog: ComponentType<Children & { title: string; onCancel: () => void; cancelLabel: string; confirm: ReactNode }>;
  /** A link inside the admin panel (`to` relative to the admin's root, e.g. `/content-manager/…`). */
  AdminLink: ComponentType<Children & { to: string; testId?: string }>;

  /** The admin panel path of a users-permissions user in the Content Manager (Strapi 4 by id, 5 by documentId). */
  contentManagerUserPath(user: { id: number; documentId?: string | null }): string;

  useNotify(): (type: 'success' | 'warning' | 'info', message: string) => void;
  useRBAC<K extends string>(permissions: Record<K, Permission[]>): { isLoading: boolean; allowed: Record<K, boolean> };
  useFetchClient(): FetchClient;
  /** The words for a failed request, as Strapi's own pages put them. */
  useErrorMessage(): (error: unknown) => string;
  useClipboard(): { copy(text: string): Promise<boolean> };
  /** What the activity panel needs of the host's fetch client (the CSV download reads a header). */
  activity: ActivityHost;
  /** Moves the focus to the page when it is navigated to (Strapi 4's pages do it themselves; Strapi 5's layout does). */
  usePageFocus(): void;
}

const KitContext = createContext<AdminKit | null>(null);

export function useKit(): AdminKit {
  const kit = useContext(KitContext);
  if (!kit) throw new Error('No AdminKit: render the page through withKit()');
  return kit;
}

/** A shared page made into one major's page: `export default withKit(kit, SettingsPage)`. */
export function withKit(kit: AdminKit, Page: ComponentType): ComponentType {
  const WithKit = () => (
    <KitContext.Provider value={kit}>
      <Page />
    </KitContext.Provider>
  );
  WithKit.displayName = `WithKit(${Page.displayName ?? Page.name})`;
  return WithKit;
}
