'use client';

import { Panel } from '@/components/ui/Panel';
import { useWorkers } from '@/hooks/useWorkers';
import type { WorkerDto } from '@/lib/contracts/workers';
import { HostLoad } from './HostLoad';
import { WorkerList } from './WorkerList';

/**
 * The Workers page's body, kept current (useWorkers): the workers, and the load over time of a
 * host they run on (this server's own first, else the newest worker's).
 */
export function WorkersView({
  initial,
  currentId,
}: {
  initial: readonly WorkerDto[];
  currentId: string | null;
}) {
  const workers = useWorkers(initial);
  const hosts = [...new Set(workers.map((worker) => worker.host))];
  const ownHost = initial.find((worker) => worker.id === currentId)?.host;
  return (
    <>
      <Panel>
        <WorkerList workers={workers} currentId={currentId} />
      </Panel>
      <HostLoad hosts={hosts} initialHost={ownHost ?? ''} />
    </>
  );
}
