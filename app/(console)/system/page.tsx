import type { Metadata } from 'next';
import { SystemMetrics } from '@/components/features/metrics/SystemMetrics';
import { StoragePanel } from '@/components/features/storage/StoragePanel';
import { getDb } from '@/lib/db';
import { getMetricsRange } from '@/lib/db/queries/metrics';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'System' };

/** This machine's metrics (the Prometheus text is at /metrics, hence /system), then its storage. */
export default function SystemPage() {
  const backend = getRuntime()?.backend;
  return (
    <>
      <SystemMetrics
        initial={getMetricsRange(getDb(), '1h', Date.now())}
        latest={backend?.hostMetrics.latest() ?? null}
      />
      <StoragePanel
        initial={backend?.storage.check() ?? null}
        database={backend?.retention.usage() ?? null}
      />
    </>
  );
}
