import type { Metadata } from 'next';
import { SystemMetrics } from '@/components/features/metrics/SystemMetrics';
import { getDb } from '@/lib/db';
import { getMetricsRange } from '@/lib/db/queries/metrics';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'System' };

/** This machine's metrics (the Prometheus text is at /metrics, hence /system). */
export default function SystemPage() {
  return (
    <SystemMetrics
      initial={getMetricsRange(getDb(), '1h', Date.now())}
      latest={getRuntime()?.backend.hostMetrics.latest() ?? null}
    />
  );
}
