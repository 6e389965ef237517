import Link from 'next/link';
import { LocalTime } from '@/components/ui/LocalTime';
import type { WorkflowSummaryDto } from '@/lib/contracts/workflows';
import { formatSpend } from '@/lib/presentation/format';

/** The saved workflows, by name. */
export function WorkflowsTable({ workflows }: { workflows: readonly WorkflowSummaryDto[] }) {
  if (workflows.length === 0) {
    return (
      <p className="empty" data-testid="empty-workflows">
        No workflows yet.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="workflow-list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Description</th>
            <th scope="col" className="num">
              Steps
            </th>
            <th scope="col" className="num">
              Budget per run
            </th>
            <th scope="col" className="num">
              Version
            </th>
            <th scope="col">Saved</th>
          </tr>
        </thead>
        <tbody>
          {workflows.map((workflow) => (
            <tr key={workflow.id} data-testid="workflow-row" data-workflow-name={workflow.name}>
              <td>
                <Link href={`/workflows/${workflow.id}`} data-testid="workflow-link">
                  {workflow.name}
                </Link>
              </td>
              <td className="description">{workflow.description}</td>
              <td className="num">{workflow.stepCount}</td>
              <td className="num">{workflow.maxCostUsd === null ? '—' : formatSpend(workflow.maxCostUsd)}</td>
              <td className="num">{workflow.version}</td>
              <td>
                <LocalTime epochMs={workflow.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
