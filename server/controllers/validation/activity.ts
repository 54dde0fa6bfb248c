import { yup, validateYupSchema } from '@strapi/utils';
import { APP_ID_FORMAT, APP_ID_PATTERN } from '../../utils/app-id';

export const ACTIVITY_PERIODS = [7, 30, 90] as const;
export type ActivitySeries = 'logins' | 'errors';

export interface ActivityQuery {
  days: (typeof ACTIVITY_PERIODS)[number];
  /** One app, lowercase; absent: every app. */
  appId?: string;
  /** Only one chart's numbers; absent: both (JSON only). */
  series?: ActivitySeries;
  format: 'json' | 'csv';
}

// Fixed messages: yup's defaults print the value received.
const schema = yup
  .object({
    days: yup.string().strict().typeError('days must be 7, 30 or 90').oneOf(['7', '30', '90'], 'days must be 7, 30 or 90'),
    appId: yup.string().strict().typeError('appId must be an AppID').matches(APP_ID_PATTERN, APP_ID_FORMAT),
    series: yup.string().strict().typeError('series must be logins or errors').oneOf(['logins', 'errors'], 'series must be logins or errors'),
    format: yup.string().strict().typeError('format must be json or csv').oneOf(['json', 'csv'], 'format must be json or csv'),
  })
  .noUnknown(true, 'Unknown parameter: ${unknown}')
  .strict()
  .test('csv-series', 'format=csv needs series=logins or series=errors (one chart per file)', (value) => value?.format !== 'csv' || Boolean(value.series));

/** GET /activity's query string (each parameter once). */
export async function validateActivityQuery(input: unknown): Promise<ActivityQuery> {
  const query = (await validateYupSchema(schema, { strict: true, abortEarly: false })(input ?? {})) as Record<string, string | undefined>;
  return {
    days: Number(query.days ?? 30) as ActivityQuery['days'],
    appId: query.appId?.toLowerCase(),
    series: query.series as ActivitySeries | undefined,
    format: query.format === 'csv' ? 'csv' : 'json',
  };
}
