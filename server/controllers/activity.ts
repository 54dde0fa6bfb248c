import type { Context } from 'koa';
import type { Strapi } from '../types';
import { getService } from '../utils/get-service';
import { activityCsv, activityCsvFilename, activityReport } from '../activity/report';
import { validateActivityQuery } from './validation/activity';

/**
 * GET /activity (admin JWT + "Read login activity"): logins per day per app (new, returning) and WeChat errors per
 * day by code, for the last 7, 30 or 90 days; JSON for the admin's charts, or one chart's numbers as CSV.
 */
export default ({ strapi }: { strapi: Strapi }) => ({
  async find(ctx: Context) {
    const { days, appId, series, format } = await validateActivityQuery(ctx.query);
    const [stored, resolved] = await Promise.all([getService(strapi, 'activity').read({ days, appId }), getService(strapi, 'credentials').fresh()]);
    const listed = resolved.apps.map((app) => ({ appId: app.appId, name: app.name ?? null }));
    const report = activityReport({ ...stored, listed, appId, series });
    if (format === 'csv' && series) {
      ctx.set('Content-Disposition', `attachment; filename="${activityCsvFilename(report, series, appId)}"`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = activityCsv(report, series);
      return;
    }
    ctx.body = { data: report };
  },
});
