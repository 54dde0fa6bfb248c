import { FormEvent, useState } from 'react';
import {
  Button,
  Flex,
  Grid,
  GridItem,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalLayout,
  SingleSelect,
  SingleSelectOption,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { useNotification } from '../helper-plugin';
import { Check, Play, Plus } from '@strapi/icons';
import { useIntl } from 'react-intl';
import { APP_TYPES, AppChanges, AppType, AppView, CheckResult, fieldErrorsOf, SettingsView, TestInput, useErrorMessage, useSettingsApi } from '../api/settings';
import { appLabel } from '../utils/app-label';
import { APP_ID_PATTERN, APP_SECRET_PATTERN, checkField } from '../utils/credential-format';
import { getTrad } from '../utils/get-trad';
import { Note } from './Note';
import { TestResult } from './TestResult';

type Field = 'appId' | 'name' | 'appSecret';
/** A translation id (client-side check) or a message from the server's ValidationError. */
type FieldErrors = Partial<Record<Field, { id: string } | { text: string }>>;

const TITLE_ID = 'wechat-app-form-title';
/** The same limit as the server's (and config/plugins'). */
const NAME_MAX_LENGTH = 64;
/** The server's reasons the page says in the admin's language. */
const SERVER_REASONS: Record<string, string> = { duplicate: 'form.error.appId.duplicate', no_secret: 'form.error.appSecret.required' };

/**
 * Adds an app (`app` null) or edits one: its name (store apps) and its AppSecret (write-only: the
 * field starts empty and an empty field keeps the secret in effect). Both can test the values
 * entered with WeChat before saving.
 */
export function AppFormModal({
  app,
  onClose,
  onSaved,
}: {
  app: AppView | null;
  onClose: () => void;
  onSaved: (settings: SettingsView, message: { id: string; values: Record<string, string> }) => void;
}) {
  const { formatMessage } = useIntl();
  const toggleNotification = useNotification();
  const errorMessage = useErrorMessage();
  const api = useSettingsApi();

  const adding = app === null;
  const nameFromConfig = app?.source === 'config';
  const secretFromConfig = app?.appSecret.source === 'config';
  const secretIsSet = Boolean(app?.appSecret.isSet);
  const last4 = app?.appSecret.last4 ?? '';

  const [appId, setAppId] = useState(app?.appId ?? '');
  const [name, setName] = useState(app?.name ?? '');
  const [type, setType] = useState<AppType>(app?.type ?? 'miniProgram');
  const [appSecret, setAppSecret] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);

  const t = (id: string, values?: Record<string, string | number>) => formatMessage({ id: getTrad(id) }, values);
  const errorText = (field: Field) => {
    const error = errors[field];
    if (!error) return undefined;
    return 'id' in error ? t(error.id, { max: NAME_MAX_LENGTH }) : error.text;
  };
  const changeOf = (field: Field, set: (value: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    set(e.target.value);
    setErrors(({ [field]: _cleared, ...rest }) => rest);
  };

  /** What the edit form would send: only what changed (an empty secret field keeps the secret). */
  function changes(): AppChanges {
    const found: AppChanges = {};
    if (!nameFromConfig && name.trim() !== (app?.name ?? '')) found.name = name.trim();
    if (!nameFromConfig && type !== (app?.type ?? 'miniProgram')) found.type = type;
    if (!secretFromConfig && appSecret.trim()) found.appSecret = appSecret.trim();
    return found;
  }
  const dirty = adding || Object.keys(changes()).length > 0;

  /** Client-side format checks (the server checks again); sets the field errors, true when all is well. */
  function check(): boolean {
    const found: FieldErrors = {};
    const idError = adding ? checkField(appId.trim(), APP_ID_PATTERN, { optional: false, fromConfig: false }) : null;
    const secretError = checkField(appSecret.trim(), APP_SECRET_PATTERN, { optional: secretIsSet, fromConfig: secretFromConfig });
    if (idError) found.appId = { id: `form.error.appId.${idError}` };
    if (!nameFromConfig && name.trim().length > NAME_MAX_LENGTH) found.name = { id: 'form.error.name.too-long' };
    if (secretError) found.appSecret = { id: `form.error.appSecret.${secretError}` };
    setErrors(found);
    return Object.keys(found).length === 0;
  }

  function showServerError(error: unknown) {
    const fields = fieldErrorsOf(error);
    if (!fields) {
      toggleNotification({ type: 'warning', message: errorMessage(error) });
      return;
    }
    const found: FieldErrors = {};
    const other: string[] = [];
    for (const [field, { message, reason }] of Object.entries(fields)) {
      if (field !== 'appId' && field !== 'name' && field !== 'appSecret') other.push(message);
      else found[field] = reason && SERVER_REASONS[reason] ? { id: SERVER_REASONS[reason] } : { text: message };
    }
    setErrors(found);
    toggleNotification({
      type: 'warning',
      message: other.length ? other.join(' ') : { id: getTrad('form.invalid'), defaultMessage: 'Some values are not valid' },
    });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    event.stopPropagation();
    if (!check()) return;
    setSaving(true);
    try {
      if (adding) {
        const input = {
          appId: appId.trim(),
          appSecret: appSecret.trim(),
          ...(type !== 'miniProgram' ? { type } : {}),
          ...(name.trim() ? { name: name.trim() } : {}),
        };
        onSaved(await api.addApp(input), { id: 'form.added', values: { app: input.name ?? input.appId } });
      } else {
        const body = changes();
        const saved = await api.updateApp(app.appId, body);
        onSaved(saved, {
          id: body.appSecret ? 'form.saved-secret' : 'form.saved',
          values: { app: appLabel(saved.apps.find((a) => a.appId === app.appId) ?? app) },
        });
      }
    } catch (error) {
      showServerError(error);
      setSaving(false);
    }
  }

  async function test() {
    if (!check()) return;
    const input: TestInput = { appId: adding ? appId.trim() : app.appId };
    if (!secretFromConfig && appSecret.trim()) input.appSecret = appSecret.trim();
    setTesting(true);
    setResult(null);
    try {
      setResult(await api.test(input));
    } catch (error) {
      showServerError(error);
    } finally {
      setTesting(false);
    }
  }

  const secretHint = secretFromConfig
    ? t('form.appSecret.from-config', { last4 })
    : secretIsSet
      ? t('form.appSecret.hint-set', { last4 })
      : t('form.appSecret.hint');

  return (
    <ModalLayout onClose={onClose} labelledBy={TITLE_ID}>
      <form onSubmit={(event) => void save(event)} noValidate data-testid="wechat-app-form">
        <ModalHeader closeLabel={t('form.close')}>
          <Typography fontWeight="bold" textColor="neutral800" as="h2" id={TITLE_ID}>
            {adding ? t('form.add.title') : t('form.edit.title', { app: appLabel(app) })}
          </Typography>
        </ModalHeader>
        <ModalBody>
          <Flex direction="column" alignItems="stretch" gap={5}>
            {nameFromConfig && <Note>{t('form.config-note')}</Note>}
            <Grid gap={5}>
              <GridItem col={6} s={12}>
                <TextInput
                  name="appId"
                  label={t('form.appId.label')}
                  hint={adding ? t('form.appId.hint') : nameFromConfig ? t('form.appId.from-config') : t('form.appId.fixed')}
                  error={errorText('appId')}
                  value={appId}
                  placeholder="wx0123456789abcdef"
                  autoComplete="off"
                  spellCheck={false}
                  required={adding}
                  disabled={!adding}
                  onChange={changeOf('appId', setAppId)}
                />
              </GridItem>
              <GridItem col={6} s={12}>
                <TextInput
                  name="name"
                  label={t('form.name.label')}
                  hint={nameFromConfig ? t('form.name.from-config') : t('form.name.hint')}
                  error={errorText('name')}
                  value={name}
                  autoComplete="off"
                  disabled={nameFromConfig}
                  onChange={changeOf('name', setName)}
                />
              </GridItem>
              <GridItem col={6} s={12}>
                <SingleSelect
                  name="type"
                  label={t('form.type.label')}
                  hint={t('form.type.hint')}
                  value={type}
                  disabled={nameFromConfig}
                  onChange={(value: string | number) => setType(value as AppType)}
                >
                  {APP_TYPES.map((option) => (
                    <SingleSelectOption key={option} value={option}>
                      {t(`type.${option}`)}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </GridItem>
              <GridItem col={6} s={12}>
                <TextInput
                  name="appSecret"
                  type="password"
                  label={t('form.appSecret.label')}
                  hint={secretHint}
                  error={errorText('appSecret')}
                  value={appSecret}
                  placeholder={secretIsSet ? t('form.appSecret.placeholder-set', { last4 }) : ''}
                  autoComplete="new-password"
                  spellCheck={false}
                  required={!secretIsSet && !secretFromConfig}
                  disabled={secretFromConfig}
                  onChange={changeOf('appSecret', setAppSecret)}
                />
              </GridItem>
            </Grid>
            <Flex gap={4} alignItems="center" wrap="wrap">
              <Button type="button" variant="secondary" startIcon={<Play />} loading={testing} disabled={testing || saving} onClick={() => void test()}>
                {t('test.button')}
              </Button>
              <Typography variant="pi" textColor="neutral600" style={{ flex: 1, minWidth: '16rem' }}>
                {t(adding ? 'form.test.hint-add' : 'form.test.hint-edit')}
              </Typography>
            </Flex>
            {result && <TestResult result={result} onClose={() => setResult(null)} />}
          </Flex>
        </ModalBody>
        <ModalFooter
          startActions={
            <Button type="button" variant="tertiary" onClick={onClose}>
              {t('form.cancel')}
            </Button>
          }
          endActions={
            <Button type="submit" startIcon={adding ? <Plus /> : <Check />} loading={saving} disabled={!dirty || saving}>
              {t(adding ? 'form.add.submit' : 'form.edit.submit')}
            </Button>
          }
        />
      </form>
    </ModalLayout>
  );
}
