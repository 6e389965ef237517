import type { Metadata } from 'next';
import { WorkersView } from '@/components/features/workers/WorkersView';
import { PageHeader } from '@/components/ui/PageHeader';
import { listWorkers } from '@/lib/db/queries/workers';
import { getStore } from '@/lib/db/store';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Workers' };

export default async function WorkersPage() {
  return (
    <>
      <PageHeader
        title="Workers"
        description="The processes that run agents, one row per start: this server's own, and each worker host's (npm run worker) on a shared Postgres. Labels (WORKER_LABELS) decide which agents' runs each may take; the load is its host's at its last beat, and below over the last hour or day."
      />
      <WorkersView
        initial={await listWorkers(getStore(), Date.now())}
        currentId={getRuntime()?.backend.runWorker.id ?? null}
      />
    </>
  );
}
