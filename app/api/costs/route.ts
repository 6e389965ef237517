import { costOverviewResponseSchema } from '@/lib/contracts/costs';
import { getCostOverview } from '@/lib/db/queries/costReports';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = route(
  {
    doc: {
      summary: 'Month to date, forecast, spend by agent, model and day, budgets, top runs',
      response: costOverviewResponseSchema,
    },
  },
  async () => json({ overview: await getCostOverview(getStore(), Date.now()) }),
);
