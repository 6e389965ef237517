import type { Metadata } from 'next';
import { WorkflowRunsTable } from '@/components/features/workflows/WorkflowRunsTable';
import { WorkflowsTable } from '@/components/features/workflows/WorkflowsTable';
import { ButtonLink } from '@/components/ui/Button';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { listWorkflows } from '@/lib/db/queries/workflows';
import { getStore } from '@/lib/db/store';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Workflows' };

const RECENT_RUNS_LIMIT = 25;

export default async function WorkflowsPage() {
  const store = getStore();
  const runs = await execute(store, listWorkflowRuns(store, { limit: RECENT_RUNS_LIMIT }));
  const workflows = await execute(store, listWorkflows(store));
  return (
    <>
      <PageHeader
        title="Workflows"
        description="Agent runs chained into a graph: each step starts when the steps it depends on end."
        actions={
          <ButtonLink href="/workflows/new" variant="primary" data-testid="new-workflow-link">
            New workflow
          </ButtonLink>
        }
      />
      <Panel title="Saved workflows">
        <WorkflowsTable workflows={workflows} />
      </Panel>
      <Panel title="Recent workflow runs">
        <WorkflowRunsTable initial={runs.items} limit={RECENT_RUNS_LIMIT} />
      </Panel>
    </>
  );
}
