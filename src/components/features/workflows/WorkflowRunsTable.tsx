'use client';

import Link from 'next/link';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { Time } from '@/components/ui/Time';
import { useClock } from '@/contexts/ClockContext';
import { useNow } from '@/hooks/useNow';
import { useWorkflowRunList } from '@/hooks/useWorkflowRunList';
import type { WorkflowRunSummaryDto } from '@/lib/contracts/workflows';
import { formatDuration, formatUsd } from '@/lib/presentation/format';
import { isRunActive, runBadgeStatus, runDurationMs } from '@/lib/presentation/workflowRuns';

function columnsFor(now: number, showWorkflow: boolean): Columns<WorkflowRunSummaryDto> {
  const columns: Columns<WorkflowRunSummaryDto> = [
    {
      id: 'id',
      header: 'Run',
      accessorFn: (run) => run.id,
      enableSorting: true,
      meta: { primary: true, shrink: true },
      cell: ({ row }) => (
        <Link href={`/workflow-runs/${row.original.id}`} data-testid="workflow-run-link">
          #{row.original.id}
        </Link>
      ),
    },
    {
      id: 'workflow',
      header: 'Workflow',
      accessorFn: (run) => run.workflowName.toLowerCase(),
      enableSorting: true,
      cell: ({ row }) => (
        <Link href={`/workflows/${row.original.workflowId}`}>{row.original.workflowName}</Link>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      accessorFn: (run) => run.status,
      enableSorting: true,
      cell: ({ row }) => <StatusBadge status={runBadgeStatus(row.original)} />,
    },
    {
      id: 'trigger',
      header: 'Trigger',
      cell: ({ row: { original: run } }) =>
        run.scheduleId === null ? (
          run.trigger
        ) : (
          <Link href={`/schedules/${run.scheduleId}`}>schedule #{run.scheduleId}</Link>
        ),
    },
    {
      id: 'started',
      header: 'Started',
      accessorFn: (run) => run.startedAt ?? run.createdAt,
      enableSorting: true,
      cell: ({ row }) => <Time epochMs={row.original.startedAt ?? row.original.createdAt} />,
    },
    {
      id: 'duration',
      header: 'Duration',
      accessorFn: (run) => runDurationMs(run, now) ?? -1,
      enableSorting: true,
      meta: { align: 'end' },
      cell: ({ row }) => formatDuration(runDurationMs(row.original, now)),
    },
    {
      id: 'steps',
      header: 'Steps ended',
      meta: { align: 'end' },
      cell: ({ row }) => `${row.original.stepsEnded} / ${row.original.stepCount}`,
    },
    {
      id: 'spend',
      header: 'Spend',
      accessorFn: (run) => run.spendUsd,
      enableSorting: true,
      meta: { align: 'end' },
      cell: ({ row: { original: run } }) => (
        <span>
          {formatUsd(run.spendUsd)}
          {run.budgetUsd === null ? null : <span className="muted"> / {formatUsd(run.budgetUsd)}</span>}
        </span>
      ),
    },
  ];
  return showWorkflow ? columns : columns.filter((column) => column.id !== 'workflow');
}

/** Workflow runs as rows, live from the `workflowRuns` topic (one workflow's, when `workflowId` is given). */
export function WorkflowRunsTable({
  initial,
  limit,
  workflowId,
}: {
  initial: WorkflowRunSummaryDto[];
  limit: number;
  workflowId?: number;
}) {
  const runs = useWorkflowRunList(initial, { limit, workflowId });
  const clock = useClock();
  const now = useNow(runs.some(isRunActive), clock.now);
  return (
    <DataTable
      data={runs}
      columns={columnsFor(now, workflowId === undefined)}
      getRowId={(run) => String(run.id)}
      testId="workflow-run-list"
      label="Workflow runs"
      rowData={(run) => ({
        'data-testid': 'workflow-run-row',
        'data-run-id': run.id,
        'data-status': run.status,
      })}
      empty={<Empty testId="empty-workflow-runs">No workflow runs yet.</Empty>}
    />
  );
}
