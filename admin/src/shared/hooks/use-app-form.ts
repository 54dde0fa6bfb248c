import { FormEvent, useState } from 'react';
import { fieldErrorsOf } from '../api/http';
import type { AppChanges, AppType, AppView, CheckResult, SettingsView, TestInput } from '../api/settings';
import { useKit } from '../kit';
import { appLabel } from '../../utils/app-label';
import { APP_ID_PATTERN, APP_SECRET_PATTERN, checkField } from '../../utils/credential-format';
import { useSettingsApi } from './use-settings-api';
import type { SavedMessage } from './use-apps-page';
import { useT } from './use-translate';

export type AppField = 'appId' | 'name' | 'appSecret';
/** A translation id (client-side check) or a message from the server's ValidationError. */
type FieldErrors = Partial<Record<AppField, { id: string } | { text: string }>>;

/** The same limit as the server's (and config/plugins'). */
export const NAME_MAX_LENGTH = 64;
/** The server's reasons the page says in the admin's language. */
const SERVER_REASONS: Record<string, string> = { duplicate: 'form.error.appId.duplicate', no_secret: 'form.error.appSecret.required' };

/**
 * The add/edit form's state and rules: `app` null adds one. The AppSecret is write-only (the field starts empty and
 * an empty field keeps the secret in effect); fields set in config/plugins are read-only. Both can test the values
 * entered with WeChat before saving.
 */
export function useAppForm(app: AppView | null, onSaved: (settings: SettingsView, message: SavedMessage) => void) {
  const kit = useKit();
  const notify = kit.useNotify();
  const errorMessage = kit.useErrorMessage();
  const t = useT();
  const api = useSettingsApi();

  const adding = app === null;
  const nameFromConfig = app?.source === 'config';
  const secretFromConfig = app?.appSecret.source === 'config';
  const secretIsSet = Boolean(app?.appSecret.isSet);

  const [values, setValues] = useState<Record<AppField, string>>({ appId: app?.appId ?? '', name: app?.name ?? '', appSecret: '' });
  const [type, setType] = useState<AppType>(app?.type ?? 'miniProgram');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);
  const appId = values.appId.trim();
  const name = values.name.trim();
  const appSecret = values.appSecret.trim();

  const errorText = (field: AppField) => {
    const error = errors[field];
    if (!error) return undefined;
    return 'id' in error ? t(error.id, { max: NAME_MAX_LENGTH }) : error.text;
  };
  const changeOf = (field: AppField) => (event: React.ChangeEvent<HTMLInputElement>) => {
    const { value } = event.target;
    setValues((current) => ({ ...current, [field]: value }));
    setErrors(({ [field]: _cleared, ...rest }) => rest);
  };

  /** What the edit form would send: only what changed (an empty secret field keeps the secret). */
  function changes(): AppChanges {
    const found: AppChanges = {};
    if (!nameFromConfig && name !== (app?.name ?? '')) found.name = name;
    if (!nameFromConfig && type !== (app?.type ?? 'miniProgram')) found.type = type;
    if (!secretFromConfig && appSecret) found.appSecret = appSecret;
    return found;
  }

  /** Client-side format checks (the server checks again); sets the field errors, true when all is well. */
  function check(): boolean {
    const found: FieldErrors = {};
    const idError = adding ? checkField(appId, APP_ID_PATTERN, { optional: false, fromConfig: false }) : null;
    const secretError = checkField(appSecret, APP_SECRET_PATTERN, { optional: secretIsSet, fromConfig: secretFromConfig });
    if (idError) found.appId = { id: `form.error.appId.${idError}` };
    if (!nameFromConfig && name.length > NAME_MAX_LENGTH) found.name = { id: 'form.error.name.too-long' };
    if (secretError) found.appSecret = { id: `form.error.appSecret.${secretError}` };
    setErrors(found);
    return Object.keys(found).length === 0;
  }

  function showServerError(error: unknown) {
    const fields = fieldErrorsOf(error);
    if (!fields) {
      notify('warning', errorMessage(error));
      return;
    }
    const found: FieldErrors = {};
    const other: string[] = [];
    for (const [field, { message, reason }] of Object.entries(fields)) {
      if (field !== 'appId' && field !== 'name' && field !== 'appSecret') other.push(message);
      else found[field] = reason && SERVER_REASONS[reason] ? { id: SERVER_REASONS[reason] } : { text: message };
    }
    setErrors(found);
    notify('warning', other.length ? other.join(' ') : t('form.invalid'));
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    event.stopPropagation();
    if (!check()) return;
    setSaving(true);
    try {
      if (adding) {
        // The type only when it is not the default: the request of earlier versions otherwise.
        const input = { appId, appSecret, ...(type !== 'miniProgram' ? { type } : {}), ...(name ? { name } : {}) };
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
    const input: TestInput = { appId: adding ? appId : app.appId };
    if (!secretFromConfig && appSecret) input.appSecret = appSecret;
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

  return {
    adding,
    nameFromConfig,
    secretFromConfig,
    secretIsSet,
    last4: app?.appSecret.last4 ?? '',
    values,
    type,
    setType,
    errorText,
    changeOf,
    dirty: adding || Object.keys(changes()).length > 0,
    saving,
    testing,
    result,
    clearResult: () => setResult(null),
    save: (event: FormEvent) => void save(event),
    test: () => void test(),
  };
}
