import { LocalTime } from '@/components/ui/LocalTime';
import { StatusBadge } from '@/components/ui/StatusBadge';
import type { ExecutionAttemptDto } from '@/lib/contracts/executions';
import { formatDuration, formatExactUsd } from '@/lib/presentation/format';

/** Every attempt of a run that was retried after transient failures; hidden for single-attempt runs. */
export function AttemptList({ attempts }: { attempts: ExecutionAttemptDto[] }) {
  if (attempts.length < 2) return null;
  return (
    <section className="panel" aria-labelledby="attempts-heading" data-testid="attempts">
      <h2 id="attempts-heading">Attempts</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">API retries</th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col">Error</th>
            <th scope="col">Then waited</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr key={attempt.attempt} data-testid="attempt-row">
              <td>{attempt.attempt}</td>
              <td>
                <StatusBadge status={attempt.status} />
              </td>
              <td>
                <LocalTime epochMs={attempt.startedAt} />
              </td>
              <td>{formatDuration(attempt.finishedAt - attempt.startedAt)}</td>
              <td>{attempt.apiRetryCount}</td>
              <td className="num">{formatExactUsd(attempt.costUsd)}</td>
              <td>{attempt.errorCode ?? '—'}</td>
              <td>{attempt.retryDelayMs === null ? '—' : formatDuration(attempt.retryDelayMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
