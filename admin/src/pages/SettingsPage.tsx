import { FormEvent, useEffect, useState } from 'react';
import { Box, Button, ContentLayout, Flex, Grid, GridItem, HeaderLayout, Main, TextInput, Typography } from '@strapi/design-system';
import {
  AnErrorOccurred,
  LoadingIndicatorPage,
  NoPermissions,
  SettingsPageTitle,
  useAPIErrorHandler,
  useFocusWhenNavigate,
  useNotification,
  useRBAC,
} from '@strapi/helper-plugin';
import { Check, Information, Play } from '@strapi/icons';
import { useIntl } from 'react-intl';
import { CheckResult, CredentialsInput, fieldErrorsOf, httpStatusOf, SettingsView, useSettingsApi } from '../api/settings';
import { StatusCard } from '../components/StatusCard';
import { TestResult } from '../components/TestResult';
import { PERMISSIONS } from '../permissions';
import { APP_ID_PATTERN, APP_SECRET_PATTERN, checkField } from '../utils/credential-format';
import { getTrad } from '../utils/get-trad';

type Field = 'appId' | 'appSecret';
/** A translation id (client-side check) or a message from the server's ValidationError. */
type FieldErrors = Partial<Record<Field, { id: string } | { text: string }>>;

function PageShell({ children, busy = false }: { children: React.ReactNode; busy?: boolean }) {
  const { formatMessage } = useIntl();
  const title = formatMessage({ id: getTrad('page.title'), defaultMessage: 'WeChat Mini Program Authenticator' });
  return (
    <Main aria-busy={busy}>
      <SettingsPageTitle name={title} />
      {children}
    </Main>
  );
}

/**
 * PLUGINS → WeChat Mini Program Authenticator (also under Settings). Reading needs the
 * "Read settings" permission, saving and testing "Update settings"; the server enforces both.
 */
export default function SettingsPage() {
  const { formatMessage } = useIntl();
  const {
    isLoading: loadingPermissions,
    allowedActions: { canRead, canUpdate },
  } = useRBAC({ read: PERMISSIONS.read, update: PERMISSIONS.update });
  const api = useSettingsApi();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<number | 'other' | null>(null);
  useFocusWhenNavigate();

  useEffect(() => {
    if (loadingPermissions || !canRead) return;
    api.load().then(setSettings, (error) => setLoadError(httpStatusOf(error) ?? 'other'));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loadingPermissions, canRead]);

  const title = formatMessage({ id: getTrad('page.title'), defaultMessage: 'WeChat Mini Program Authenticator' });

  if (loadingPermissions || (canRead && !settings && !loadError)) {
    return (
      <PageShell busy>
        <HeaderLayout title={title} />
        <ContentLayout>
          <LoadingIndicatorPage />
        </ContentLayout>
      </PageShell>
    );
  }
  if (!canRead || loadError === 401 || loadError === 403 || !settings) {
    return (
      <PageShell>
        <HeaderLayout title={title} />
        <ContentLayout>{!canRead || loadError === 401 || loadError === 403 ? <NoPermissions action={null} /> : <AnErrorOccurred />}</ContentLayout>
      </PageShell>
    );
  }
  return <SettingsForm settings={settings} onSaved={setSettings} canUpdate={Boolean(canUpdate)} />;
}

function SettingsForm({ settings, onSaved, canUpdate }: { settings: SettingsView; onSaved: (s: SettingsView) => void; canUpdate: boolean }) {
  const { formatMessage } = useIntl();
  const toggleNotification = useNotification();
  const { formatAPIError } = useAPIErrorHandler();
  const api = useSettingsApi();

  const appIdFromConfig = settings.appId.source === 'config';
  const secretFromConfig = settings.appSecret.source === 'config';
  const [appId, setAppId] = useState(settings.appId.value ?? '');
  const [appSecret, setAppSecret] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);

  const t = (id: string, values?: Record<string, string | number>) => formatMessage({ id: getTrad(id) }, values);
  const errorText = (field: Field) => {
    const error = errors[field];
    if (!error) return undefined;
    return 'id' in error ? t(error.id) : error.text;
  };
  const dirty = (!appIdFromConfig && appId.trim() !== (settings.appId.value ?? '')) || (!secretFromConfig && appSecret !== '');

  /** Client-side check; `forTest`: an empty field means "the value in effect" if there is one. */
  function validate(values: { appId: string; appSecret: string }, forTest: boolean): FieldErrors {
    const found: FieldErrors = {};
    const idError = checkField(values.appId, APP_ID_PATTERN, {
      fromConfig: appIdFromConfig && !forTest,
      optional: forTest && Boolean(settings.appId.value),
    });
    const secretError = checkField(values.appSecret, APP_SECRET_PATTERN, {
      fromConfig: secretFromConfig && !forTest,
      optional: settings.appSecret.isSet,
    });
    if (idError) found.appId = { id: `form.error.appId.${idError}` };
    if (secretError) found.appSecret = { id: `form.error.appSecret.${secretError}` };
    return found;
  }

  function input(forTest: boolean): CredentialsInput | null {
    const values = { appId: appIdFromConfig && !forTest ? '' : appId.trim(), appSecret: secretFromConfig && !forTest ? '' : appSecret.trim() };
    const found = validate(values, forTest);
    setErrors(found);
    if (Object.keys(found).length) return null;
    const body: CredentialsInput = {};
    if (!appIdFromConfig && values.appId) body.appId = values.appId;
    if (!secretFromConfig && values.appSecret) body.appSecret = values.appSecret;
    return body;
  }

  function showServerError(error: unknown) {
    const fields = fieldErrorsOf(error);
    if (fields) {
      setErrors(Object.fromEntries(Object.entries(fields).map(([field, text]) => [field, { text }])) as FieldErrors);
      toggleNotification({ type: 'warning', message: { id: getTrad('form.invalid'), defaultMessage: 'Some values are not valid' } });
    } else {
      toggleNotification({ type: 'warning', message: formatAPIError(error as never) });
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const body = input(false);
    if (!body) return;
    setSaving(true);
    try {
      const saved = await api.save(body);
      setAppSecret('');
      setAppId(saved.appId.value ?? '');
      onSaved(saved);
      toggleNotification({ type: 'success', message: { id: getTrad('form.saved'), defaultMessage: 'Saved' } });
    } catch (error) {
      showServerError(error);
    } finally {
      setSaving(false);
    }
  }

  async function test() {
    const body = input(true);
    if (!body) return;
    setTesting(true);
    setResult(null);
    try {
      setResult(await api.test(body));
    } catch (error) {
      showServerError(error);
    } finally {
      setTesting(false);
    }
  }

  const last4 = settings.appSecret.last4 ?? '';
  const secretHint = secretFromConfig
    ? t('form.appSecret.from-config', { last4 })
    : settings.appSecret.isSet
      ? t(canUpdate ? 'form.appSecret.hint-set' : 'form.appSecret.stored', { last4 })
      : t('form.appSecret.hint');

  return (
    <PageShell busy={saving}>
      <form onSubmit={save} noValidate>
        <HeaderLayout
          title={t('page.title')}
          subtitle={t('page.subtitle')}
          primaryAction={
            <Button type="submit" startIcon={<Check />} size="S" loading={saving} disabled={!canUpdate || !dirty || saving}>
              {t('form.save')}
            </Button>
          }
        />
        <ContentLayout>
          <Flex direction="column" alignItems="stretch" gap={6}>
            <StatusCard settings={settings} />
            <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7}>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <Typography variant="delta" as="h2">
                  {t('credentials.title')}
                </Typography>
                {(appIdFromConfig || secretFromConfig) && <Note>{t('config-note')}</Note>}
                {!canUpdate && <Note>{t('page.read-only')}</Note>}
                <Grid gap={5}>
                  <GridItem col={6} s={12}>
                    <TextInput
                      name="appId"
                      label={t('form.appId.label')}
                      hint={appIdFromConfig ? t('form.appId.from-config') : t('form.appId.hint')}
                      error={errorText('appId')}
                      value={appId}
                      placeholder="wx0123456789abcdef"
                      autoComplete="off"
                      spellCheck={false}
                      required={canUpdate && !appIdFromConfig}
                      disabled={appIdFromConfig || !canUpdate}
                      onChange={(e: React.ChangeEvent<HTMLInputElement>) => {
                        setAppId(e.target.value);
                        setErrors(({ appId: _cleared, ...rest }) => rest);
                      }}
                    />
                  </GridItem>
                  <GridItem col={6} s={12}>
                    <TextInput
                      name="appSecret"
                      type="password"
                      label={t('form.appSecret.label')}
                      hint={secretHint}
                      error={errorText('appSecret')}
                      value={appSecret}
                      placeholder={settings.appSecret.isSet ? t('form.appSecret.placeholder-set', { last4 }) : ''}
                      autoComplete="new-password"
                      spellCheck={false}
                      required={canUpdate && !secretFromConfig && !settings.appSecret.isSet}
                      disabled={secretFromConfig || !canUpdate}
                      onChange={(e: React.ChangeEvent<HTMLInputElement>) => {
                        setAppSecret(e.target.value);
                        setErrors(({ appSecret: _cleared, ...rest }) => rest);
                      }}
                    />
                  </GridItem>
                </Grid>
                <Flex gap={4} alignItems="center" wrap="wrap">
                  <Button type="button" variant="secondary" startIcon={<Play />} loading={testing} disabled={!canUpdate || testing} onClick={test}>
                    {t('test.button')}
                  </Button>
                  <Typography variant="pi" textColor="neutral600" style={{ flex: 1, minWidth: '16rem' }}>
                    {t('test.hint')}
                  </Typography>
                </Flex>
                {result && <TestResult result={result} onClose={() => setResult(null)} />}
              </Flex>
            </Box>
          </Flex>
        </ContentLayout>
      </form>
    </PageShell>
  );
}

function Note({ children }: { children: React.ReactNode }) {
  return (
    <Box background="primary100" borderColor="primary200" hasRadius padding={4}>
      <Flex gap={3} alignItems="flex-start">
        <Box color="primary600" paddingTop={1}>
          <Information aria-hidden width="1rem" height="1rem" />
        </Box>
        <Typography textColor="primary700">{children}</Typography>
      </Flex>
    </Box>
  );
}
