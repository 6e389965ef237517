import type { Metadata } from 'next';
import { WorkerList } from '@/components/features/workers/WorkerList';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
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
        description="The processes that run agents: today this server's own, one per start. Labels (WORKER_LABELS) decide which agents' runs each may take."
      />
      <Panel>
        <WorkerList
          workers={await listWorkers(getStore(), Date.now())}
          currentId={getRuntime()?.backend.runWorker.id ?? null}
        />
      </Panel>
    </>
  );
}
