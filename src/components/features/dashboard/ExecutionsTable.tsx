'use client';

import Link from 'next/link';
import { LocalTime } from '@/components/ui/LocalTime';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { useNow } from '@/hooks/useNow';
import { type ExecutionSummary, isActiveStatus } from '@/lib/contracts/executions';
import { formatDuration, formatRunCost, formatTokens, triggerLabel } from '@/lib/presentation/format';

function durationOf(execution: ExecutionSummary, now: number): number | null {
  if (execution.durationMs !== null) return execution.durationMs;
  if (execution.startedAt === null) return null;
  return isActiveStatus(execution.status) ? now - execution.startedAt : null;
}

/** Runs as rows; running rows' durations tick. */
export function ExecutionsTable({
  executions,
  renderedAt,
  showAgent = true,
}: {
  executions: readonly ExecutionSummary[];
  renderedAt: number;
  showAgent?: boolean;
}) {
  const anyRunning = executions.some((execution) => execution.status === 'running');
  const now = useNow(anyRunning, renderedAt);
  return (
    <div className="table-wrap">
      <table className="table" data-testid="execution-list">
        <thead>
          <tr>
            <th scope="col">Run</th>
            {showAgent ? <th scope="col">Agent</th> : null}
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col" className="num">
              Tokens in / out
            </th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {executions.map((execution) => (
            <tr
              key={execution.id}
              data-testid="execution-row"
              data-execution-id={execution.id}
              data-status={execution.status}
            >
              <td>
                <Link href={`/executions/${execution.id}`} data-testid="execution-link">
                  #{execution.id}
                </Link>
              </td>
              {showAgent ? <td>{execution.agentName}</td> : null}
              <td>
                <StatusBadge status={execution.status} />
                {execution.queuePosition !== null && (
                  <span className="muted queue-position" data-testid="queue-position">
                    {' '}
                    #{execution.queuePosition} in queue
                  </span>
                )}
                {execution.nextAttemptAt !== null && (
                  <span className="muted small" data-testid="next-attempt">
                    {' '}
                    attempt {execution.attempt + 1} at <LocalTime epochMs={execution.nextAttemptAt} />
                  </span>
                )}
                {execution.errorCode ? <span className="muted small"> {execution.errorCode}</span> : null}
              </td>
              <td data-testid="execution-trigger">{triggerLabel(execution)}</td>
              <td>
                <LocalTime epochMs={execution.startedAt ?? execution.createdAt} />
              </td>
              <td className="num">{formatDuration(durationOf(execution, now))}</td>
              <td className="num">
                {formatTokens(execution.inputTokens)} / {formatTokens(execution.outputTokens)}
              </td>
              <td className="num">{formatRunCost(execution.costUsd, isActiveStatus(execution.status))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
