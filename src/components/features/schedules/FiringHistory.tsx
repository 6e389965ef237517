'use client';

import Link from 'next/link';
import { Tag } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { Time } from '@/components/ui/Time';
import type { ExecutionStatus } from '@/lib/contracts/executions';
import type { ScheduleFiringDto } from '@/lib/contracts/schedules';
import type { WorkflowRunStatus } from '@/lib/contracts/workflows';
import { FiringOutcomeBadge } from './FiringOutcomeBadge';

function FiringRun({
  firing,
  runStatuses,
  workflowRunStatuses,
}: {
  firing: ScheduleFiringDto;
  runStatuses: Readonly<Record<number, ExecutionStatus>>;
  workflowRunStatuses: Readonly<Record<number, WorkflowRunStatus>>;
}) {
  if (firing.executionId !== null) {
    return (
      <span>
        <Link href={`/executions/${firing.executionId}`} data-testid="firing-run-link">
          #{firing.executionId}
        </Link>{' '}
        <StatusBadge status={runStatuses[firing.executionId] ?? 'queued'} testId="firing-run-status" />
      </span>
    );
  }
  if (firing.workflowRunId !== null) {
    const status = workflowRunStatuses[firing.workflowRunId];
    return (
      <span>
        <Link href={`/workflow-runs/${firing.workflowRunId}`} data-testid="firing-workflow-run-link">
          workflow run #{firing.workflowRunId}
        </Link>
        {status ? <span className="muted small"> {status}</span> : null}
      </span>
    );
  }
  return <span className="muted">—</span>;
}

/** A schedule's history, newest first: each slot considered (or run now), what became of it and why, and its run live. */
export function FiringHistory({
  firings,
  timeZone,
  runStatuses,
  workflowRunStatuses,
}: {
  firings: readonly ScheduleFiringDto[];
  timeZone: string;
  runStatuses: Readonly<Record<number, ExecutionStatus>>;
  workflowRunStatuses: Readonly<Record<number, WorkflowRunStatus>>;
}) {
  const columns: Columns<ScheduleFiringDto> = [
    {
      id: 'slot',
      header: `Slot (${timeZone})`,
      meta: { primary: true },
      cell: ({ row }) =>
        row.original.scheduledFor === null ? (
          <Tag>run now</Tag>
        ) : (
          <Time epochMs={row.original.scheduledFor} format="datetime" seconds timeZone={timeZone} />
        ),
    },
    { id: 'fired', header: 'Fired', cell: ({ row }) => <Time epochMs={row.original.fireAt} /> },
    {
      id: 'outcome',
      header: 'Outcome',
      cell: ({ row }) => <FiringOutcomeBadge outcome={row.original.outcome} />,
    },
    {
      id: 'reason',
      header: 'Why',
      meta: { testId: 'firing-reason' },
      cell: ({ row }) => row.original.reason,
    },
    {
      id: 'run',
      header: 'Run',
      cell: ({ row }) => (
        <FiringRun
          firing={row.original}
          runStatuses={runStatuses}
          workflowRunStatuses={workflowRunStatuses}
        />
      ),
    },
  ];
  return (
    <DataTable
      data={firings}
      columns={columns}
      getRowId={(firing) => String(firing.id)}
      testId="firing-list"
      label="History"
      rowData={(firing) => ({
        'data-testid': 'firing-row',
        'data-firing-id': firing.id,
        'data-outcome': firing.outcome,
        'data-execution-id': firing.executionId ?? undefined,
      })}
      empty={
        <Empty testId="empty-firings">
          Nothing yet: every slot the scheduler considers, and every run now, is listed here.
        </Empty>
      }
    />
  );
}
