import { latestHealthReportResponseSchema } from '@/lib/contracts/healthReports';
import { getStore } from '@/lib/db/store';
import { getLatestHealthReport } from '@/lib/health/reports';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** The newest report (`null` before the first run); `status: invalid` when that run left no valid report. */
export const GET = route(
  { doc: { summary: 'The newest health report', response: latestHealthReportResponseSchema } },
  async () => json({ report: await getLatestHealthReport(getStore()) }),
);
