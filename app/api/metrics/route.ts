import { metricsRangeQuerySchema, metricsRangeSchema } from '@/lib/contracts/metrics';
import { getDb } from '@/lib/db';
import { getMetricsRange } from '@/lib/db/queries/metrics';
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
  ({ query }) =>
    json(
      getMetricsRange(
        getDb(),
        // The schema guarantees from and to with `custom`.
        query.range === 'custom' ? { from: query.from ?? 0, to: query.to ?? 0 } : query.range,
        Date.now(),
      ),
    ),
);
