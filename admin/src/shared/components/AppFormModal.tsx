import { Button, Flex, Typography } from '@strapi/design-system';
import { Check, Play, Plus } from '@strapi/icons';
import { APP_TYPES, type AppType, type AppView, type SettingsView } from '../api/settings';
import { useAppForm } from '../hooks/use-app-form';
import type { SavedMessage } from '../hooks/use-apps-page';
import { useT } from '../hooks/use-translate';
import { useKit } from '../kit';
import { appLabel } from '../../utils/app-label';
import { Note } from './Note';
import { TestResult } from './TestResult';

/**
 * Adds an app (`app` null) or edits one: its name (store apps) and its AppSecret (write-only: the field starts
 * empty and an empty field keeps the secret in effect). Both can test the values entered with WeChat before saving.
 */
export function AppFormModal({
  app,
  onClose,
  onSaved,
}: {
  app: AppView | null;
  onClose: () => void;
  onSaved: (settings: SettingsView, message: SavedMessage) => void;
}) {
  const { FormModal, Grid, GridItem, Select, TextField } = useKit();
  const t = useT();
  const form = useAppForm(app, onSaved);
  const { adding, nameFromConfig, secretFromConfig, secretIsSet, last4 } = form;

  const secretHint = secretFromConfig
    ? t('form.appSecret.from-config', { last4 })
    : secretIsSet
      ? t('form.appSecret.hint-set', { last4 })
      : t('form.appSecret.hint');

  return (
    <FormModal
      title={app ? t('form.edit.title', { app: appLabel(app) }) : t('form.add.title')}
      closeLabel={t('form.close')}
      onClose={onClose}
      onSubmit={form.save}
      testId="wechat-app-form"
      start={
        <Button type="button" variant="tertiary" onClick={onClose}>
          {t('form.cancel')}
        </Button>
      }
      end={
        <Button type="submit" startIcon={adding ? <Plus /> : <Check />} loading={form.saving} disabled={!form.dirty || form.saving}>
          {t(adding ? 'form.add.submit' : 'form.edit.submit')}
        </Button>
      }
    >
      <Flex direction="column" alignItems="stretch" gap={5}>
        {nameFromConfig && <Note>{t('form.config-note')}</Note>}
        <Grid gap={5}>
          <GridItem col={6} s={12}>
            <TextField
              name="appId"
              label={t('form.appId.label')}
              hint={adding ? t('form.appId.hint') : nameFromConfig ? t('form.appId.from-config') : t('form.appId.fixed')}
              error={form.errorText('appId')}
              value={form.values.appId}
              placeholder="wx0123456789abcdef"
              autoComplete="off"
              spellCheck={false}
              required={adding}
              disabled={!adding}
              onChange={form.changeOf('appId')}
            />
          </GridItem>
          <GridItem col={6} s={12}>
            <TextField
              name="name"
              label={t('form.name.label')}
              hint={nameFromConfig ? t('form.name.from-config') : t('form.name.hint')}
              error={form.errorText('name')}
              value={form.values.name}
              autoComplete="off"
              disabled={nameFromConfig}
              onChange={form.changeOf('name')}
            />
          </GridItem>
          <GridItem col={6} s={12}>
            <Select
              name="type"
              label={t('form.type.label')}
              hint={t('form.type.hint')}
              value={form.type}
              disabled={nameFromConfig}
              options={APP_TYPES.map((type) => ({ value: type, label: t(`type.${type}`) }))}
              onChange={(value) => form.setType(value as AppType)}
            />
          </GridItem>
          <GridItem col={6} s={12}>
            <TextField
              name="appSecret"
              type="password"
              label={t('form.appSecret.label')}
              hint={secretHint}
              error={form.errorText('appSecret')}
              value={form.values.appSecret}
              placeholder={secretIsSet ? t('form.appSecret.placeholder-set', { last4 }) : ''}
              autoComplete="new-password"
              spellCheck={false}
              required={!secretIsSet && !secretFromConfig}
              disabled={secretFromConfig}
              onChange={form.changeOf('appSecret')}
            />
          </GridItem>
        </Grid>
        <Flex gap={4} alignItems="center" wrap="wrap">
          <Button type="button" variant="secondary" startIcon={<Play />} loading={form.testing} disabled={form.testing || form.saving} onClick={form.test}>
            {t('test.button')}
          </Button>
          <Typography variant="pi" textColor="neutral600" style={{ flex: 1, minWidth: '16rem' }}>
            {t(adding ? 'form.test.hint-add' : 'form.test.hint-edit')}
          </Typography>
        </Flex>
        {form.result && <TestResult result={form.result} onClose={form.clearResult} />}
      </Flex>
    </FormModal>
  );
}
