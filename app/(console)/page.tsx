import Link from 'next/link';
import { BudgetWarnings } from '@/components/features/costs/BudgetWarnings';
import { Dashboard, RECENT_EXECUTIONS_LIMIT } from '@/components/features/dashboard/Dashboard';
import { WorkflowRunsTable } from '@/components/features/workflows/WorkflowRunsTable';
import { microsToUsd } from '@/lib/contracts/executions';
import { getDb } from '@/lib/db';
import { listAgents } from '@/lib/db/queries/agents';
import { getBudgetStatuses } from '@/lib/db/queries/costReports';
import { getMonthSpendMicros, monthKey } from '@/lib/db/queries/costs';
import { listExecutions } from '@/lib/db/queries/executions';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { getRuntime, withQueuePositions } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

const RECENT_WORKFLOW_RUNS_LIMIT = 10;

export default function DashboardPage() {
  const db = getDb();
  const now = Date.now();
  const month = monthKey(now);
  return (
    <>
      <BudgetWarnings budgets={getBudgetStatuses(db, now)} />
      <Dashboard
        agents={listAgents(db)}
        executions={withQueuePositions(listExecutions(db, { limit: RECENT_EXECUTIONS_LIMIT }).items)}
        monthSpendUsd={microsToUsd(getMonthSpendMicros(db, month))}
        month={month}
        renderedAt={now}
        circuit={getRuntime()?.engine.circuit() ?? null}
      />
      <section className="panel" aria-labelledby="workflow-runs-heading">
        <div className="panel-head">
          <h2 id="workflow-runs-heading">Recent workflow runs</h2>
          <Link href="/workflows" className="button" data-testid="workflows-link">
            Workflows
          </Link>
        </div>
        <WorkflowRunsTable
          initial={listWorkflowRuns(db, { limit: RECENT_WORKFLOW_RUNS_LIMIT }).items}
          renderedAt={now}
          limit={RECENT_WORKFLOW_RUNS_LIMIT}
        />
      </section>
    </>
  );
}
