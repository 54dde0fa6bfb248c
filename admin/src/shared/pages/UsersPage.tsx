import { Flex } from '@strapi/design-system';
import { UserActionDialog } from '../components/UserActionDialog';
import { UserCardView } from '../components/UserCardView';
import { UserSearch } from '../components/UserSearch';
import { useT } from '../hooks/use-translate';
import { useUsersView } from '../hooks/use-users-view';
import { useKit } from '../kit';
import { PageState } from './SettingsPage';

/**
 * PLUGINS → WeChat users: find a person by openid, unionid, phone number, nickname or Strapi user, see their
 * identities across apps, and act on them. Reading needs "Read WeChat users", each action its own permission.
 */
export function UsersPage() {
  const { Page, Header, Content } = useKit();
  const t = useT();
  const view = useUsersView();
  const title = t('users.title');
  if (view.state !== 'ready') return <PageState title={title} kind={view.state} />;
  return (
    <Page title={title} busy={view.searching || view.running}>
      <Header title={title} subtitle={t('users.subtitle')} />
      <Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <UserSearch
            term={view.term}
            onTermChange={view.setTerm}
            searching={view.searching}
            onSearch={view.search}
            answer={view.answer}
            opening={view.opening}
            onOpen={view.open}
          />
          {view.user && <UserCardView user={view.user} canAct={view.canAct} may={view.may} onAction={view.ask} onClose={view.close} />}
        </Flex>
      </Content>
      {view.user && view.pending && (
        <UserActionDialog user={view.user} action={view.pending} running={view.running} onCancel={view.cancel} onConfirm={view.confirm} />
      )}
    </Page>
  );
}
