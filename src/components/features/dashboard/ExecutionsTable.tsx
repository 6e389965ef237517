'use client';

import Link from 'next/link';
import { TriggerLink } from '@/components/features/execution/TriggerLink';
import { type Columns, DataTable, type DataTableProps } from '@/components/ui/DataTable';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { Time } from '@/components/ui/Time';
import { useClock } from '@/contexts/ClockContext';
import { useNow } from '@/hooks/useNow';
import { type ExecutionSummary, isActiveStatus } from '@/lib/contracts/executions';
import { formatCount, formatDuration, formatUsd, formatUsdExact } from '@/lib/presentation/format';

function durationOf(execution: ExecutionSummary, now: number): number | null {
  if (execution.durationMs !== null) return execution.durationMs;
  if (execution.startedAt === null) return null;
  return isActiveStatus(execution.status) ? now - execution.startedAt : null;
}

function columnsFor(now: number, showAgent: boolean): Columns<ExecutionSummary> {
  const columns: Columns<ExecutionSummary> = [
    {
      id: 'id',
      header: 'Run',
      accessorFn: (execution) => execution.id,
      enableSorting: true,
      meta: { primary: true, shrink: true },
      cell: ({ row }) => (
        <Link href={`/executions/${row.original.id}`} data-testid="execution-link">
          #{row.original.id}
        </Link>
      ),
    },
    {
      id: 'agent',
      header: 'Agent',
      accessorFn: (execution) => execution.agentName.toLowerCase(),
      enableSorting: true,
      cell: ({ row }) => <Link href={`/agents/${row.original.agentId}`}>{row.original.agentName}</Link>,
    },
    {
      id: 'status',
      header: 'Status',
      accessorFn: (execution) => execution.status,
      enableSorting: true,
      cell: ({ row: { original: execution } }) => (
        <span>
          <StatusBadge status={execution.status} />
          {execution.queuePosition !== null && (
            <span className="muted" data-testid="queue-position">
              {' '}
              #{execution.queuePosition} in queue
            </span>
          )}
          {execution.waitReason !== null && (
            <span className="muted small" data-testid="wait-reason">
              {' '}
              {execution.waitReason}
            </span>
          )}
          {execution.nextAttemptAt !== null && (
            <span className="muted small" data-testid="next-attempt">
              {' '}
              attempt {execution.attempt + 1} <Time epochMs={execution.nextAttemptAt} format="relative" />
            </span>
          )}
          {execution.errorCode ? <span className="muted small"> {execution.errorCode}</span> : null}
        </span>
      ),
    },
    {
      id: 'trigger',
      header: 'Trigger',
      meta: { testId: 'execution-trigger' },
      cell: ({ row }) => <TriggerLink execution={row.original} />,
    },
    {
      id: 'started',
      header: 'Started',
      accessorFn: (execution) => execution.startedAt ?? execution.createdAt,
      enableSorting: true,
      cell: ({ row }) => <Time epochMs={row.original.startedAt ?? row.original.createdAt} />,
    },
    {
      id: 'duration',
      header: 'Duration',
      accessorFn: (execution) => durationOf(execution, now) ?? -1,
      enableSorting: true,
      meta: { align: 'end' },
      cell: ({ row }) => formatDuration(durationOf(row.original, now)),
    },
    {
      id: 'tokens',
      header: 'Tokens in / out',
      meta: { align: 'end' },
      cell: ({ row }) =>
        `${formatCount(row.original.inputTokens)} / ${formatCount(row.original.outputTokens)}`,
    },
    {
      id: 'cost',
      header: 'Cost',
      accessorFn: (execution) => execution.costUsd,
      enableSorting: true,
      meta: { align: 'end' },
      cell: ({ row: { original: execution } }) =>
        // The figure is only known once the run ends.
        isActiveStatus(execution.status) && execution.costUsd === 0 ? (
          '—'
        ) : (
          <span title={formatUsdExact(execution.costUsd)}>{formatUsd(execution.costUsd)}</span>
        ),
    },
  ];
  return showAgent ? columns : columns.filter((column) => column.id !== 'agent');
}

/** The columns a server-sorted list can sort by (the API's `sort` values, by column id). */
export const SERVER_SORTS = { started: 'created', duration: 'duration', cost: 'cost' } as const;
export type ServerSortColumn = keyof typeof SERVER_SORTS;

function serverSortable(columns: Columns<ExecutionSummary>): Columns<ExecutionSummary> {
  return columns.map((column) => ({
    ...column,
    enableSorting: column.id !== undefined && column.id in SERVER_SORTS,
  }));
}

/** Runs as rows (cards on phones); running rows' durations tick. */
export function ExecutionsTable({
  executions,
  showAgent = true,
  sorting,
}: {
  executions: readonly ExecutionSummary[];
  showAgent?: boolean;
  /** Sorted by the server (the Runs page): only started, duration and cost sort, and a click asks it. */
  sorting?: DataTableProps<ExecutionSummary>['sorting'];
}) {
  const clock = useClock();
  const anyRunning = executions.some((execution) => execution.status === 'running');
  const now = useNow(anyRunning, clock.now);
  return (
    <DataTable
      data={executions}
      columns={sorting ? serverSortable(columnsFor(now, showAgent)) : columnsFor(now, showAgent)}
      sorting={sorting}
      getRowId={(execution) => String(execution.id)}
      testId="execution-list"
      label="Runs"
      rowData={(execution) => ({
        'data-testid': 'execution-row',
        'data-execution-id': execution.id,
        'data-status': execution.status,
      })}
    />
  );
}
