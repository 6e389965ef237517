'use client';

import Link from 'next/link';
import { LocalTime } from '@/components/ui/LocalTime';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { useNow } from '@/hooks/useNow';
import { useWorkflowRunList } from '@/hooks/useWorkflowRunList';
import type { WorkflowRunSummaryDto } from '@/lib/contracts/workflows';
import { formatDuration, formatSpend } from '@/lib/presentation/format';
import { isRunActive, runBadgeStatus, runDurationMs } from '@/lib/presentation/workflowRuns';

/** Workflow runs as rows, live from the `workflowRuns` topic (one workflow's, when `workflowId` is given). */
export function WorkflowRunsTable({
  initial,
  renderedAt,
  limit,
  workflowId,
}: {
  initial: WorkflowRunSummaryDto[];
  renderedAt: number;
  limit: number;
  workflowId?: number;
}) {
  const runs = useWorkflowRunList(initial, { limit, workflowId });
  const now = useNow(runs.some(isRunActive), renderedAt);
  if (runs.length === 0) {
    return (
      <p className="empty" data-testid="empty-workflow-runs">
        No workflow runs yet.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="workflow-run-list">
        <thead>
          <tr>
            <th scope="col">Run</th>
            {workflowId === undefined ? <th scope="col">Workflow</th> : null}
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col" className="num">
              Steps ended
            </th>
            <th scope="col" className="num">
              Spend
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-testid="workflow-run-row" data-run-id={run.id} data-status={run.status}>
              <td>
                <Link href={`/workflow-runs/${run.id}`} data-testid="workflow-run-link">
                  #{run.id}
                </Link>
              </td>
              {workflowId === undefined ? (
                <td>
                  <Link href={`/workflows/${run.workflowId}`}>{run.workflowName}</Link>
                </td>
              ) : null}
              <td>
                <StatusBadge status={runBadgeStatus(run)} />
              </td>
              <td>{run.scheduleId === null ? run.trigger : `schedule #${run.scheduleId}`}</td>
              <td>
                <LocalTime epochMs={run.startedAt ?? run.createdAt} />
              </td>
              <td className="num">{formatDuration(runDurationMs(run, now))}</td>
              <td className="num">
                {run.stepsEnded} / {run.stepCount}
              </td>
              <td className="num">
                {formatSpend(run.spendUsd)}
                {run.budgetUsd === null ? null : (
                  <span className="muted"> / {formatSpend(run.budgetUsd)}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
