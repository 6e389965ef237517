'use client';

import Link from 'next/link';
import { LocalTime } from '@/components/ui/LocalTime';
import { StatusBadge } from '@/components/ui/StatusBadge';
import type { ExecutionStatus } from '@/lib/contracts/executions';
import type { ScheduleFiringDto } from '@/lib/contracts/schedules';
import type { WorkflowRunStatus } from '@/lib/contracts/workflows';
import { formatZonedDateTime } from '@/lib/presentation/format';
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
      <>
        <Link href={`/executions/${firing.executionId}`} data-testid="firing-run-link">
          #{firing.executionId}
        </Link>{' '}
        <StatusBadge status={runStatuses[firing.executionId] ?? 'queued'} testId="firing-run-status" />
      </>
    );
  }
  if (firing.workflowRunId !== null) {
    const status = workflowRunStatuses[firing.workflowRunId];
    return (
      <>
        <Link href={`/workflow-runs/${firing.workflowRunId}`} data-testid="firing-workflow-run-link">
          workflow run #{firing.workflowRunId}
        </Link>
        {status ? <span className="muted small"> {status}</span> : null}
      </>
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
  if (firings.length === 0) {
    return (
      <p className="empty" data-testid="empty-firings">
        Nothing yet: every slot the scheduler considers, and every run now, is listed here.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="firing-list">
        <thead>
          <tr>
            <th scope="col">Slot ({timeZone})</th>
            <th scope="col">Fired</th>
            <th scope="col">Outcome</th>
            <th scope="col">Why</th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {firings.map((firing) => (
            <tr
              key={firing.id}
              data-testid="firing-row"
              data-firing-id={firing.id}
              data-outcome={firing.outcome}
              data-execution-id={firing.executionId ?? undefined}
            >
              <td className="mono">
                {firing.scheduledFor === null ? (
                  <span className="tag">run now</span>
                ) : (
                  formatZonedDateTime(firing.scheduledFor, timeZone)
                )}
              </td>
              <td>
                <LocalTime epochMs={firing.fireAt} />
              </td>
              <td>
                <FiringOutcomeBadge outcome={firing.outcome} />
              </td>
              <td className="description" data-testid="firing-reason">
                {firing.reason}
              </td>
              <td>
                <FiringRun
                  firing={firing}
                  runStatuses={runStatuses}
                  workflowRunStatuses={workflowRunStatuses}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
