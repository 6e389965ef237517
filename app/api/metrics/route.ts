import { thisHost } from '@/lib/config/host';
import { metricsRangeQuerySchema, metricsRangeSchema } from '@/lib/contracts/metrics';
import { execute } from '@/lib/db/plan';
import { getMetricsRange } from '@/lib/db/queries/metrics';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** A host's metrics (this server's by default) over a range, from the tier that fits a chart, with its runs. */
export const GET = route(
  {
    query: metricsRangeQuerySchema,
    doc: {
      summary:
        "A host's metrics over a range (this server's unless `host` names another), with its runs in it",
      response: metricsRangeSchema,
    },
  },
  async ({ query }) => {
    const store = getStore();
    // The schema guarantees from and to with `custom`.
    const window = query.range === 'custom' ? { from: query.from ?? 0, to: query.to ?? 0 } : query.range;
    return json(await execute(store, getMetricsRange(store, query.host ?? thisHost(), window, Date.now())));
  },
);
