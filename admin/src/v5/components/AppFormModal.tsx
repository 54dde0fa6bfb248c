// Strapi 5's twin of ../../components/AppFormModal.tsx: the same form and checks, in Design System 2 (Modal.*, Field.*).
import { FormEvent, useState } from 'react';
import { Button, Field, Flex, Grid, Modal, SingleSelect, SingleSelectOption, TextInput, Typography } from '@strapi/design-system';
import { useNotification } from '@strapi/strapi/admin';
import { Check, Play, Plus } from '@strapi/icons';
import { useIntl } from 'react-intl';
import { APP_TYPES, AppChanges, AppType, AppView, CheckResult, fieldErrorsOf, SettingsView, TestInput, useErrorMessage, useSettingsApi } from '../api';
import { appLabel } from '../../utils/app-label';
import { APP_ID_PATTERN, APP_SECRET_PATTERN, checkField } from '../../utils/credential-format';
import { getTrad } from '../../utils/get-trad';
import { Note } from './Note';
import { TestResult } from './TestResult';

type Field = 'appId' | 'name' | 'appSecret';
/** A translation id (client-side check) or a message from the server's ValidationError. */
type FieldErrors = Partial<Record<Field, { id: string } | { text: string }>>;

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
  const { toggleNotification } = useNotification();
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
      message: other.length ? other.join(' ') : formatMessage({ id: getTrad('form.invalid'), defaultMessage: 'Some values are not valid' }),
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
    <Modal.Root open onOpenChange={(open) => !open && onClose()}>
      <Modal.Content>
        <form onSubmit={(event) => void save(event)} noValidate data-testid="wechat-app-form">
          <Modal.Header closeLabel={t('form.close')}>
            <Modal.Title>{adding ? t('form.add.title') : t('form.edit.title', { app: appLabel(app) })}</Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <Flex direction="column" alignItems="stretch" gap={5}>
              {nameFromConfig && <Note>{t('form.config-note')}</Note>}
              <Grid.Root gap={5}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root
                    name="appId"
                    hint={adding ? t('form.appId.hint') : nameFromConfig ? t('form.appId.from-config') : t('form.appId.fixed')}
                    error={errorText('appId')}
                    required={adding}
                  >
                    <Field.Label>{t('form.appId.label')}</Field.Label>
                    <TextInput
                      name="appId"
                      value={appId}
                      placeholder="wx0123456789abcdef"
                      autoComplete="off"
                      spellCheck={false}
                      disabled={!adding}
                      onChange={changeOf('appId', setAppId)}
                    />
                    <Field.Hint />
                    <Field.Error />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="name" hint={nameFromConfig ? t('form.name.from-config') : t('form.name.hint')} error={errorText('name')}>
                    <Field.Label>{t('form.name.label')}</Field.Label>
                    <TextInput name="name" value={name} autoComplete="off" disabled={nameFromConfig} onChange={changeOf('name', setName)} />
                    <Field.Hint />
                    <Field.Error />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="type" hint={t('form.type.hint')}>
                    <Field.Label>{t('form.type.label')}</Field.Label>
                    <SingleSelect name="type" value={type} disabled={nameFromConfig} onChange={(value: string | number) => setType(value as AppType)}>
                      {APP_TYPES.map((option) => (
                        <SingleSelectOption key={option} value={option}>
                          {t(`type.${option}`)}
                        </SingleSelectOption>
                      ))}
                    </SingleSelect>
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="appSecret" hint={secretHint} error={errorText('appSecret')} required={!secretIsSet && !secretFromConfig}>
                    <Field.Label>{t('form.appSecret.label')}</Field.Label>
                    <TextInput
                      name="appSecret"
                      type="password"
                      value={appSecret}
                      placeholder={secretIsSet ? t('form.appSecret.placeholder-set', { last4 }) : ''}
                      autoComplete="new-password"
                      spellCheck={false}
                      disabled={secretFromConfig}
                      onChange={changeOf('appSecret', setAppSecret)}
                    />
                    <Field.Hint />
                    <Field.Error />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>
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
          </Modal.Body>
          <Modal.Footer>
            <Button type="button" variant="tertiary" onClick={onClose}>
              {t('form.cancel')}
            </Button>
            <Button type="submit" startIcon={adding ? <Plus /> : <Check />} loading={saving} disabled={!dirty || saving}>
              {t(adding ? 'form.add.submit' : 'form.edit.submit')}
            </Button>
          </Modal.Footer>
        </form>
      </Modal.Content>
    </Modal.Root>
  );
}
