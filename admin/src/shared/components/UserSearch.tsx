import type { FormEvent } from 'react';
import { Badge, Button, Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { Search } from '@strapi/icons';
import type { SearchAnswer } from '../api/users';
import { useT } from '../hooks/use-translate';
import { useKit } from '../kit';
import { Card } from './Card';
import { TableHead } from './TableHead';

const COLUMNS = ['user', 'nickname', 'phone', 'apps', 'matched'] as const;
const MONO = { fontFamily: 'monospace' } as const;

/** The search form and what it found: one row per user, with what the term matched. */
export function UserSearch({
  term,
  onTermChange,
  searching,
  onSearch,
  answer,
  opening,
  onOpen,
}: {
  term: string;
  onTermChange: (term: string) => void;
  searching: boolean;
  onSearch: (event: FormEvent) => void;
  answer: SearchAnswer | null;
  opening: number | null;
  onOpen: (userId: number) => void;
}) {
  const { TextField } = useKit();
  const t = useT();
  return (
    <Card title={t('users.search.title')}>
      <form onSubmit={onSearch} noValidate data-testid="wechat-user-search">
        <Flex gap={4} alignItems="flex-end">
          <div style={{ flex: 1 }}>
            <TextField
              name="term"
              type="search"
              label={t('users.search.label')}
              hint={t('users.search.hint')}
              value={term}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => onTermChange(event.target.value)}
            />
          </div>
          <Button type="submit" startIcon={<Search />} loading={searching} disabled={searching || !term.trim()}>
            {t('users.search.submit')}
          </Button>
        </Flex>
      </form>
      {answer && answer.results.length === 0 && (
        <Typography textColor="neutral600" data-testid="wechat-user-results-empty">
          {t('users.search.none')}
        </Typography>
      )}
      {answer && answer.results.length > 0 && (
        <>
          <Table colCount={COLUMNS.length + 1} rowCount={answer.results.length + 1} data-testid="wechat-user-results">
            <TableHead labels={COLUMNS.map((column) => t(`users.column.${column}`))} actionsLabel={t('users.column.actions')} />
            <Tbody>
              {answer.results.map((match) => (
                <Tr key={match.id} data-testid={`wechat-user-row-${match.id}`}>
                  <Td>
                    <Flex direction="column" alignItems="flex-start" gap={1}>
                      <Typography fontWeight="semiBold" textColor="neutral800">
                        #{match.id} {match.username ?? ''}
                      </Typography>
                      {match.email && (
                        <Typography variant="pi" textColor="neutral600">
                          {match.email}
                        </Typography>
                      )}
                    </Flex>
                  </Td>
                  <Td>
                    <Flex gap={2}>
                      <Typography textColor="neutral800">{match.nickname ?? '—'}</Typography>
                      {match.blocked && <Badge>{t('users.blocked')}</Badge>}
                    </Flex>
                  </Td>
                  <Td>
                    <Typography textColor="neutral800" style={MONO}>
                      {match.maskedPhone ?? '—'}
                    </Typography>
                  </Td>
                  <Td>
                    <Typography textColor="neutral800" style={MONO}>
                      {match.appIds.join(', ') || '—'}
                    </Typography>
                  </Td>
                  <Td>
                    <Typography textColor="neutral600">{match.matchedBy.map((key) => t(`users.match.${key}`)).join(', ')}</Typography>
                  </Td>
                  <Td>
                    <Button variant="secondary" size="S" loading={opening === match.id} onClick={() => onOpen(match.id)}>
                      {t('users.open')}
                    </Button>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
          {answer.truncated && <Typography textColor="neutral600">{t('users.search.truncated')}</Typography>}
        </>
      )}
    </Card>
  );
}
