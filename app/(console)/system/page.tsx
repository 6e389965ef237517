import type { Metadata } from 'next';
import { SystemMetrics } from '@/components/features/metrics/SystemMetrics';
import { StoragePanel } from '@/components/features/storage/StoragePanel';
import { execute } from '@/lib/db/plan';
import { getMetricsRange } from '@/lib/db/queries/metrics';
import { getStore } from '@/lib/db/store';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'System' };

/** This machine's metrics (the Prometheus text is at /metrics, hence /system), then its storage. */
export default async function SystemPage() {
  const backend = getRuntime()?.backend;
  const store = getStore();
  return (
    <>
      <SystemMetrics
        initial={await execute(store, getMetricsRange(store, '1h', Date.now()))}
        latest={backend?.hostMetrics.latest() ?? null}
      />
      <StoragePanel
        initial={backend?.storage.check() ?? null}
        database={(await backend?.retention.usage()) ?? null}
      />
    </>
  );
}
