'use client';

import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Panel } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { Time } from '@/components/ui/Time';
import type { ExecutionAttemptDto } from '@/lib/contracts/executions';
import { formatDuration, formatUsd, formatUsdExact } from '@/lib/presentation/format';

const columns: Columns<ExecutionAttemptDto> = [
  {
    id: 'attempt',
    header: '#',
    meta: { primary: true, shrink: true },
    cell: ({ row }) => `Attempt ${row.original.attempt}`,
  },
  { id: 'status', header: 'Status', cell: ({ row }) => <StatusBadge status={row.original.status} /> },
  {
    id: 'started',
    header: 'Started',
    cell: ({ row }) => <Time epochMs={row.original.startedAt} format="datetime" seconds />,
  },
  {
    id: 'duration',
    header: 'Duration',
    meta: { align: 'end' },
    cell: ({ row }) => formatDuration(row.original.finishedAt - row.original.startedAt),
  },
  {
    id: 'retries',
    header: 'API retries',
    meta: { align: 'end' },
    cell: ({ row }) => row.original.apiRetryCount,
  },
  {
    id: 'cost',
    header: 'Cost',
    meta: { align: 'end' },
    cell: ({ row }) => (
      <span title={formatUsdExact(row.original.costUsd)}>{formatUsd(row.original.costUsd)}</span>
    ),
  },
  { id: 'error', header: 'Error', cell: ({ row }) => row.original.errorCode ?? '—' },
  {
    id: 'waited',
    header: 'Then waited',
    meta: { align: 'end' },
    cell: ({ row }) => (row.original.retryDelayMs === null ? '—' : formatDuration(row.original.retryDelayMs)),
  },
];

/** Every attempt of a run that was retried after transient failures; hidden for single-attempt runs. */
export function AttemptList({ attempts }: { attempts: ExecutionAttemptDto[] }) {
  if (attempts.length < 2) return null;
  return (
    <Panel title="Attempts" testId="attempts">
      <DataTable
        data={attempts}
        columns={columns}
        getRowId={(attempt) => String(attempt.attempt)}
        testId="attempt-list"
        label="Attempts"
        rowData={() => ({ 'data-testid': 'attempt-row' })}
      />
    </Panel>
  );
}
