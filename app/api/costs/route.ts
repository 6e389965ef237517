import { costOverviewResponseSchema } from '@/lib/contracts/costs';
import { getDb } from '@/lib/db';
import { getCostOverview } from '@/lib/db/queries/costReports';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = route(
  {
    doc: {
      summary: 'Month to date, forecast, spend by agent, model and day, budgets, top runs',
      response: costOverviewResponseSchema,
    },
  },
  () => json({ overview: getCostOverview(getDb(), Date.now()) }),
);
