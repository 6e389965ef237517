import type { Metadata } from 'next';
import { SystemMetrics } from '@/components/features/metrics/SystemMetrics';
import { StoragePanel } from '@/components/features/storage/StoragePanel';
import { thisHost } from '@/lib/config/host';
import { execute } from '@/lib/db/plan';
import { getMetricsRange, listMetricHosts } from '@/lib/db/queries/metrics';
import { getStore } from '@/lib/db/store';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'System' };

interface SystemPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * The hosts' metrics, this server's first (the Prometheus text is at /metrics, hence /system), then
 * this server's storage. `?host=` opens another host's charts (a host notification links there).
 */
export default async function SystemPage({ searchParams }: SystemPageProps) {
  const backend = getRuntime()?.backend;
  const store = getStore();
  const serverHost = thisHost();
  const hosts = [
    serverHost,
    ...(await execute(store, listMetricHosts(store))).filter((host) => host !== serverHost),
  ];
  const { host: asked } = await searchParams;
  const shown = typeof asked === 'string' && hosts.includes(asked) ? asked : serverHost;
  return (
    <>
      <SystemMetrics
        initial={await execute(store, getMetricsRange(store, shown, '1h', Date.now()))}
        latest={backend?.hostMetrics.latest() ?? null}
        hosts={hosts}
        serverHost={serverHost}
      />
      <StoragePanel
        initial={backend?.storage.check() ?? null}
        database={(await backend?.retention.usage()) ?? null}
      />
    </>
  );
}
