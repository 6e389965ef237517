import { metricsRangeQuerySchema, metricsRangeSchema } from '@/lib/contracts/metrics';
import { execute } from '@/lib/db/plan';
import { getMetricsRange } from '@/lib/db/queries/metrics';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** This machine's metrics over a range, from the tier that fits a chart, with the runs to draw on it. */
export const GET = route(
  {
    query: metricsRangeQuerySchema,
    doc: {
      summary: "This machine's metrics over a range, with the runs in it",
      response: metricsRangeSchema,
    },
  },
  async ({ query }) => {
    const store = getStore();
    // The schema guarantees from and to with `custom`.
    const window = query.range === 'custom' ? { from: query.from ?? 0, to: query.to ?? 0 } : query.range;
    return json(await execute(store, getMetricsRange(store, window, Date.now())));
  },
);
