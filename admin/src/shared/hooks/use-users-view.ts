import { FormEvent, useMemo, useState } from 'react';
import { httpStatusOf } from '../api/http';
import { usersApi, type IdentityCardEntry, type SearchAnswer, type UserAction, type UserView } from '../api/users';
import { useKit } from '../kit';
import { USER_PERMISSIONS } from '../../permissions';
import { useT } from './use-translate';

/** An action waiting for the admin's confirmation. */
export type PendingAction = { kind: UserAction } | { kind: 'detach'; identity: IdentityCardEntry };

/** Which permission each action needs (besides reading). */
const NEEDS: Record<PendingAction['kind'], keyof typeof USER_PERMISSIONS> = {
  'clear-nickname': 'moderate',
  'clear-avatar': 'moderate',
  'unbind-phone': 'unbindPhone',
  detach: 'detachIdentity',
  block: 'block',
  unblock: 'block',
};

/**
 * The WeChat users view's permissions, search, the open card and its actions. Reading needs users.read; each action
 * its own permission (the server enforces them all). Every action is confirmed first, and its answer replaces the card.
 */
export function useUsersView() {
  const kit = useKit();
  const { isLoading, allowed } = kit.useRBAC(USER_PERMISSIONS);
  const notify = kit.useNotify();
  const errorMessage = kit.useErrorMessage();
  const client = kit.useFetchClient();
  const api = useMemo(() => usersApi(client), [client]);
  const t = useT();
  kit.usePageFocus();

  const [term, setTerm] = useState('');
  const [searching, setSearching] = useState(false);
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [user, setUser] = useState<UserView | null>(null);
  const [opening, setOpening] = useState<number | null>(null);
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [running, setRunning] = useState(false);

  async function search(event: FormEvent) {
    event.preventDefault();
    if (!term.trim()) return;
    setSearching(true);
    try {
      setAnswer(await api.search(term.trim()));
    } catch (error) {
      notify('warning', errorMessage(error));
    } finally {
      setSearching(false);
    }
  }

  async function open(userId: number) {
    setOpening(userId);
    try {
      setUser(await api.card(userId));
    } catch (error) {
      notify('warning', errorMessage(error));
    } finally {
      setOpening(null);
    }
  }

  async function confirm() {
    if (!pending || !user) return;
    setRunning(true);
    try {
      const result = pending.kind === 'detach' ? await api.detach(user.id, pending.identity.id) : await api.act(user.id, pending.kind);
      setUser(result.user);
      notify(result.changed ? 'success' : 'info', t(result.changed ? `users.action.${pending.kind}.done` : 'users.action.unchanged'));
      setPending(null);
    } catch (error) {
      notify('warning', errorMessage(error));
      // E.g. the user was deleted or changed meanwhile: show the card as it is now (or close it).
      if (httpStatusOf(error) === 404) setUser(null);
      setPending(null);
    } finally {
      setRunning(false);
    }
  }

  const may = (kind: PendingAction['kind']) => allowed[NEEDS[kind]];

  return {
    state: isLoading ? ('loading' as const) : allowed.read ? ('ready' as const) : ('forbidden' as const),
    /** Allowed at least one action. */
    canAct: allowed.moderate || allowed.unbindPhone || allowed.detachIdentity || allowed.block,
    may,
    term,
    setTerm,
    searching,
    search: (event: FormEvent) => void search(event),
    answer,
    user,
    opening,
    open: (userId: number) => void open(userId),
    close: () => setUser(null),
    pending,
    ask: (action: PendingAction) => may(action.kind) && setPending(action),
    cancel: () => setPending(null),
    running,
    confirm: () => void confirm(),
  };
}
