// The login activity on the plugin's page, written once for both majors: the host (./host.ts) brings the fetch
// client and the select of the admin it runs in, the kit its RBAC check; the rest is Design System parts both majors share.
import { useEffect, useMemo, useState } from 'react';
import { Box, Button, Flex, Typography } from '@strapi/design-system';
import { Download } from '@strapi/icons';
import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../plugin-id';
import { getTrad } from '../utils/get-trad';
import { activityUrl, attachmentName, loadActivity, PERIODS, type ActivityReport, type Period, type Series } from './api';
import { errorSeries, loginSeries, seriesTotal, type ChartData } from './chart-data';
import { saveText } from './download';
import { useKit } from '../shared/kit';
import type { ActivityHost } from './host';
import { LineChart } from './LineChart';

export const ACTIVITY_READ = `plugin::${PLUGIN_ID}.activity.read`;

const LOGIN_COLORS = ['primary600', 'success600'];
const ERROR_COLORS = ['danger600', 'warning600', 'secondary600', 'alternative600', 'primary600', 'neutral600', 'neutral400'];
const ALL_APPS = '';
const ACTIVITY_PERMISSIONS = { read: [{ action: ACTIVITY_READ, subject: null }] };

/** Logins per day (new, returning) and WeChat errors per day by code, for 7/30/90 days, all apps or one; hidden without "Read login activity". */
export function ActivityPanel({ host }: { host: ActivityHost }) {
  const { isLoading, allowed } = useKit().useRBAC(ACTIVITY_PERMISSIONS);
  if (isLoading || !allowed.read) return null;
  return <Activity host={host} />;
}

function Activity({ host }: { host: ActivityHost }) {
  const { formatMessage } = useIntl();
  const t = (id: string, values?: Record<string, string | number>) => formatMessage({ id: getTrad(id) }, values);
  const fetch = host.useActivityFetch();
  const { Select } = useKit();
  const [days, setDays] = useState<Period>(30);
  const [appId, setAppId] = useState(ALL_APPS);
  const [report, setReport] = useState<ActivityReport | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let current = true;
    loadActivity(fetch, days, appId || null).then(
      (next) => {
        if (!current) return;
        setReport(next);
        setFailed(false);
      },
      () => current && setFailed(true)
    );
    return () => {
      current = false;
    };
  }, [fetch, days, appId]);

  const appOptions = useMemo(
    () => [
      { value: ALL_APPS, label: t('activity.apps.all') },
      ...(report?.apps ?? []).map((app) => ({ value: app.appId, label: app.name ? `${app.name} (${app.appId})` : app.appId })),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- t is formatMessage's, recreated each render
    [report, formatMessage]
  );
  const logins = useMemo(
    () => (report ? loginSeries(report, { new: t('activity.logins.new'), returning: t('activity.logins.returning') }) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- as above
    [report, formatMessage]
  );
  const errors = useMemo(
    () => (report ? errorSeries(report, errorLabel, t('activity.errors.other')) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- as above
    [report, formatMessage]
  );

  /** An errcode, or what a transport failure was (timeout, network, http-status, bad-body). */
  function errorLabel(code: string): string {
    if (/^-?\d+$/.test(code)) return t('activity.errors.code', { code });
    return formatMessage({ id: getTrad(`activity.errors.transport.${code}`), defaultMessage: code });
  }

  async function download(series: Series) {
    const url = activityUrl({ days, appId: appId || null, series, format: 'csv' });
    const { text, contentDisposition } = await fetch.getText(url);
    saveText(text, attachmentName(contentDisposition, `wechat-${series}.csv`));
  }

  return (
    <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7} data-testid="wechat-activity">
      <Flex direction="column" alignItems="stretch" gap={5}>
        <Flex justifyContent="space-between" alignItems="flex-end" gap={4} wrap="wrap">
          <Flex direction="column" alignItems="flex-start" gap={1}>
            <h2 style={{ margin: 0 }}>
              <Typography variant="delta">{t('activity.title')}</Typography>
            </h2>
            {report && (
              <Typography variant="pi" textColor="neutral600">
                {t('activity.timezone', { timezone: report.timezone })}
              </Typography>
            )}
          </Flex>
          <Flex gap={4} alignItems="flex-end" wrap="wrap">
            <Flex gap={1} role="group" aria-label={t('activity.period.label')}>
              {PERIODS.map((period) => (
                <Button
                  key={period}
                  size="S"
                  variant={period === days ? 'secondary' : 'tertiary'}
                  aria-pressed={period === days}
                  data-testid={`wechat-activity-days-${period}`}
                  onClick={() => setDays(period)}
                >
                  {t('activity.period.days', { days: period })}
                </Button>
              ))}
            </Flex>
            <Box minWidth="14rem">
              <Select small label={t('activity.apps.label')} value={appId} options={appOptions} onChange={setAppId} testId="wechat-activity-app" />
            </Box>
          </Flex>
        </Flex>
        {failed && <Typography textColor="danger600">{t('activity.load-error')}</Typography>}
        {logins && errors && (
          <>
            <ChartCard
              title={t('activity.logins.title')}
              data={logins}
              colors={LOGIN_COLORS}
              testId="wechat-activity-logins"
              csvLabel={t('activity.csv', { chart: t('activity.logins.title') })}
              onDownload={() => void download('logins')}
            />
            <ChartCard
              title={t('activity.errors.title')}
              data={errors}
              colors={ERROR_COLORS}
              testId="wechat-activity-errors"
              empty={t('activity.errors.none')}
              csvLabel={t('activity.csv', { chart: t('activity.errors.title') })}
              onDownload={() => void download('errors')}
            />
          </>
        )}
      </Flex>
    </Box>
  );
}

/** One chart: its title, the period's total per series, the chart (or a line saying there is nothing), its CSV button. */
function ChartCard(props: { title: string; data: ChartData; colors: string[]; testId: string; empty?: string; csvLabel: string; onDownload(): void }) {
  const { formatNumber, formatMessage } = useIntl();
  const { title, data, colors, testId, empty, csvLabel, onDownload } = props;
  const nothing = data.series.length === 0;
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid={testId}>
      <Flex justifyContent="space-between" alignItems="center" gap={2} wrap="wrap">
        <h3 style={{ margin: 0 }}>
          <Typography variant="omega" fontWeight="bold">
            {title}
          </Typography>
        </h3>
        <Button size="S" variant="tertiary" startIcon={<Download />} onClick={onDownload} aria-label={csvLabel} data-testid={`${testId}-csv`}>
          {formatMessage({ id: getTrad('activity.csv.button') })}
        </Button>
      </Flex>
      {nothing ? (
        <Typography textColor="neutral600" data-testid={`${testId}-empty`}>
          {empty}
        </Typography>
      ) : (
        <>
          <Flex gap={4} wrap="wrap">
            {data.series.map((series) => (
              <Typography key={series.key} variant="pi" textColor="neutral700" data-testid={`${testId}-total-${series.key}`}>
                {series.label}: <b>{formatNumber(seriesTotal(series))}</b>
              </Typography>
            ))}
          </Flex>
          <LineChart data={data} colors={colors} label={title} dayLabel={formatMessage({ id: getTrad('activity.day') })} testId={`${testId}-chart`} />
        </>
      )}
    </Flex>
  );
}
