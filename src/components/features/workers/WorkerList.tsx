'use client';

import { Badge, Tag, type Tone } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import { type WorkerDto, type WorkerState, workerStateOf } from '@/lib/contracts/workers';
import { formatBytes, formatPercent } from '@/lib/presentation/format';

const STATE_TONES: Record<WorkerState, Tone> = {
  alive: 'ok',
  draining: 'warn',
  stopped: 'neutral',
  'no beat': 'bad',
};

/** In words, with its colour. */
function stateOf(worker: WorkerDto): { tone: Tone; text: WorkerState } {
  const text = workerStateOf(worker);
  return { tone: STATE_TONES[text], text };
}

/**
 * Its host's CPU, memory and disk at its last beat, one line each; muted once the worker stopped
 * beating, as they are no longer now.
 */
function HostVitalsCell({ worker: { vitals, alive } }: { worker: WorkerDto }) {
  if (!vitals) return <span className="muted">not reported</span>;
  const cpu = vitals.cpuBusy === null ? 'CPU —' : `CPU ${formatPercent(vitals.cpuBusy)}`;
  return (
    <span className={alive ? undefined : 'muted'} data-testid="worker-vitals">
      <span data-testid="worker-cpu">
        {cpu} of {vitals.cores} {vitals.cores === 1 ? 'core' : 'cores'}, load {vitals.load1.toFixed(2)}
      </span>
      <br />
      <span data-testid="worker-memory">
        Memory {formatBytes(vitals.memoryUsedBytes)} of {formatBytes(vitals.memoryTotalBytes)}
      </span>
      {vitals.diskAvailableBytes !== null && vitals.diskSizeBytes !== null ? (
        <>
          <br />
          <span data-testid="worker-disk">
            Disk {formatBytes(vitals.diskAvailableBytes)} free of {formatBytes(vitals.diskSizeBytes)}
          </span>
        </>
      ) : null}
    </span>
  );
}

function columnsFor(currentId: string | null): Columns<WorkerDto> {
  return [
    {
      id: 'id',
      header: 'Worker',
      accessorFn: (worker) => worker.id,
      enableSorting: true,
      meta: { primary: true },
      cell: ({ row: { original: worker } }) => (
        <span>
          <span className="mono" data-testid="worker-id">
            {worker.id}
          </span>{' '}
          {worker.id === currentId ? <Tag>this server</Tag> : null}
        </span>
      ),
    },
    {
      id: 'state',
      header: 'State',
      cell: ({ row: { original: worker } }) => {
        const { tone, text } = stateOf(worker);
        const badge = (
          <Badge tone={tone} testId="worker-state">
            {text}
          </Badge>
        );
        if (text !== 'draining' || worker.drainingSince === null) return badge;
        // Its running runs finish, or are handed back to the queue at the drain's deadline.
        return (
          <span title="Stopping: no run starts here; running runs finish or are handed back to the queue">
            {badge}{' '}
            <span className="muted">
              since <Time epochMs={worker.drainingSince} format="relative" testId="worker-draining-since" />
            </span>
          </span>
        );
      },
    },
    {
      id: 'labels',
      header: 'Labels',
      cell: ({ row: { original: worker } }) =>
        worker.labels.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <span data-testid="worker-labels">
            {worker.labels.map((label) => (
              <Tag key={label}>{label}</Tag>
            ))}
          </span>
        ),
    },
    {
      id: 'host',
      header: 'Host',
      accessorFn: (worker) => worker.host,
      enableSorting: true,
      cell: ({ row }) => <span className="mono">{row.original.host}</span>,
    },
    {
      id: 'vitals',
      header: 'Host load',
      cell: ({ row: { original: worker } }) => <HostVitalsCell worker={worker} />,
    },
    {
      id: 'running',
      header: 'Running',
      accessorFn: (worker) => worker.runningRuns,
      enableSorting: true,
      meta: { align: 'end' },
      cell: ({ row }) => <span data-testid="worker-running">{row.original.runningRuns}</span>,
    },
    {
      id: 'lastBeatAt',
      header: 'Last beat',
      accessorFn: (worker) => worker.lastBeatAt,
      enableSorting: true,
      cell: ({ row }) => <Time epochMs={row.original.lastBeatAt} testId="worker-last-beat" />,
    },
    {
      id: 'startedAt',
      header: 'Started',
      accessorFn: (worker) => worker.startedAt,
      enableSorting: true,
      cell: ({ row }) => <Time epochMs={row.original.startedAt} />,
    },
    {
      id: 'version',
      header: 'Version',
      cell: ({ row }) => <span className="mono">{row.original.version}</span>,
    },
  ];
}

/** The workers, newest first; `currentId` is this server's own. */
export function WorkerList({
  workers,
  currentId,
}: {
  workers: readonly WorkerDto[];
  currentId: string | null;
}) {
  return (
    <DataTable
      data={workers}
      columns={columnsFor(currentId)}
      getRowId={(worker) => worker.id}
      testId="worker-list"
      label="Workers"
      rowData={(worker) => ({
        'data-testid': 'worker-row',
        'data-worker-id': worker.id,
        'data-alive': worker.alive,
        'data-draining': worker.drainingSince !== null && worker.stoppedAt === null,
      })}
      empty={<Empty testId="empty-workers">No worker has started yet.</Empty>}
    />
  );
}
