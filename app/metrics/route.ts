import { execute } from '@/lib/db/plan';
import { getPrometheusTotals } from '@/lib/db/queries/metrics';
import { getStore } from '@/lib/db/store';
import { route } from '@/lib/http/route';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '@/lib/metrics/prometheus';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** The Prometheus scrape target: host gauges, run, token and cost counters, the engine's gauges. */
export const GET = route({}, async () => {
  const { engine, backend } = requireRuntime();
  const store = getStore();
  const text = await renderPrometheus({
    host: backend.hostMetrics.latest(),
    totals: await execute(store, getPrometheusTotals(store)),
    activeRuns: engine.activeCount,
    queuedRuns: engine.queuedCount,
    circuitState: engine.circuit().state,
  });
  return new Response(text, { headers: { 'Content-Type': PROMETHEUS_CONTENT_TYPE } });
});
