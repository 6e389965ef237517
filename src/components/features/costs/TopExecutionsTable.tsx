import Link from 'next/link';
import { LocalTime } from '@/components/ui/LocalTime';
import { StatusBadge } from '@/components/ui/StatusBadge';
import type { TopExecutionDto } from '@/lib/contracts/costs';
import { formatUsd } from '@/lib/presentation/format';

export function TopExecutionsTable({ executions }: { executions: readonly TopExecutionDto[] }) {
  if (executions.length === 0) return <p className="empty">No paid runs this month.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="top-executions">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Models</th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {executions.map((execution) => (
            <tr key={execution.id} data-testid="top-execution-row" data-execution-id={execution.id}>
              <td>
                <Link href={`/executions/${execution.id}`}>#{execution.id}</Link>
              </td>
              <td>{execution.agentName}</td>
              <td>
                <StatusBadge status={execution.status} />
              </td>
              <td>
                <LocalTime epochMs={execution.createdAt} />
              </td>
              <td className="mono">{execution.models.join(', ')}</td>
              <td className="num">
                {formatUsd(execution.costUsd)}
                {execution.unpriced ? (
                  <span
                    className="tag tag-warn"
                    title="A model of this run has no price: the cost is the SDK's estimate"
                  >
                    unpriced
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
