import { healthReportPageSchema, listHealthReportsQuerySchema } from '@/lib/contracts/healthReports';
import { getStore } from '@/lib/db/store';
import { listHealthReports } from '@/lib/health/reports';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The System Health Reporter's reports, newest first; pass `nextBefore` as `before` for the next page. */
export const GET = route(
  {
    query: listHealthReportsQuerySchema,
    doc: { summary: 'Health reports, newest first', response: healthReportPageSchema },
  },
  async ({ query }) => json(await listHealthReports(getStore(), query)),
);
