import type { Metadata } from 'next';
import Link from 'next/link';
import { WorkflowRunsTable } from '@/components/features/workflows/WorkflowRunsTable';
import { WorkflowsTable } from '@/components/features/workflows/WorkflowsTable';
import { getDb } from '@/lib/db';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { listWorkflows } from '@/lib/db/queries/workflows';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Workflows' };

const RECENT_RUNS_LIMIT = 25;

export default function WorkflowsPage() {
  const db = getDb();
  return (
    <>
      <div className="page-head">
        <h1>Workflows</h1>
        <Link href="/workflows/new" className="button button-primary" data-testid="new-workflow-link">
          New workflow
        </Link>
      </div>
      <section className="panel" aria-labelledby="workflows-heading">
        <h2 id="workflows-heading">Saved workflows</h2>
        <WorkflowsTable workflows={listWorkflows(db)} />
      </section>
      <section className="panel" aria-labelledby="workflow-runs-heading">
        <h2 id="workflow-runs-heading">Recent workflow runs</h2>
        <WorkflowRunsTable
          initial={listWorkflowRuns(db, { limit: RECENT_RUNS_LIMIT }).items}
          renderedAt={Date.now()}
          limit={RECENT_RUNS_LIMIT}
        />
      </section>
    </>
  );
}
