import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { definitionNodes, RUN_IF_LABELS } from '@/components/features/workflows/definitionNodes';
import { RunWorkflowForm } from '@/components/features/workflows/RunWorkflowForm';
import { WorkflowGraph } from '@/components/features/workflows/WorkflowGraph';
import { WorkflowRunsTable } from '@/components/features/workflows/WorkflowRunsTable';
import { ConfirmDeleteButton } from '@/components/ui/ConfirmDeleteButton';
import { getDb } from '@/lib/db';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { formatSpend } from '@/lib/presentation/format';
import { layoutWorkflow } from '@/lib/workflows/layout';
import { agentNamesById } from '../editorAgents';
import { loadWorkflow } from './loadWorkflow';

export const dynamic = 'force-dynamic';

const RUN_HISTORY_LIMIT = 50;

interface WorkflowPageProps {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: WorkflowPageProps): Promise<Metadata> {
  return { title: loadWorkflow((await params).id)?.name ?? 'Workflow not found' };
}

export default async function WorkflowPage({ params, searchParams }: WorkflowPageProps) {
  const workflow = loadWorkflow((await params).id);
  if (!workflow) notFound();
  const created = (await searchParams).created === '1';
  const db = getDb();
  const names = agentNamesById(db);

  return (
    <>
      <div className="page-head">
        <h1 data-testid="workflow-title">
          {workflow.name}
          <span className="tag">version {workflow.version}</span>
        </h1>
        <div className="page-actions">
          <Link href={`/workflows/${workflow.id}/edit`} className="button" data-testid="workflow-edit-link">
            Edit
          </Link>
          <ConfirmDeleteButton
            apiPath={`/api/workflows/${workflow.id}`}
            question={`Delete ${workflow.name}? Its runs stay in the history.`}
            then="/workflows"
            testId="workflow-delete"
          />
        </div>
      </div>
      {created ? (
        <p className="callout callout-ok" role="status" data-testid="workflow-created">
          Workflow saved. Run it below.
        </p>
      ) : null}
      {workflow.description ? <p className="muted">{workflow.description}</p> : null}
      <section className="panel" aria-labelledby="run-heading">
        <h2 id="run-heading">Run</h2>
        <p className="field-hint">
          {workflow.steps.length} steps, at most {workflow.maxParallel} at once
          {workflow.maxCostUsd === null ? '' : `, within ${formatSpend(workflow.maxCostUsd)} per run`}.
        </p>
        <RunWorkflowForm workflowId={workflow.id} fields={workflow.inputs} />
      </section>
      <section className="panel" aria-labelledby="graph-heading">
        <h2 id="graph-heading">Steps</h2>
        <WorkflowGraph
          id="workflow"
          layout={layoutWorkflow(workflow.steps)}
          nodes={definitionNodes(workflow.steps, new Map(Object.entries(names)))}
          label={`${workflow.name}: each arrow leads from a dependency to the step that waits for it`}
        />
        <div className="table-wrap">
          <table className="table" data-testid="workflow-steps">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Agent</th>
                <th scope="col">Depends on</th>
                <th scope="col">Runs when</th>
                <th scope="col">Prompt</th>
              </tr>
            </thead>
            <tbody>
              {workflow.steps.map((step) => (
                <tr key={step.key} data-testid="workflow-step" data-key={step.key}>
                  <td className="mono">{step.key}</td>
                  <td>{names[step.agentId] ?? `agent #${step.agentId}`}</td>
                  <td>{step.dependsOn.length === 0 ? '—' : step.dependsOn.join(', ')}</td>
                  <td>{step.dependsOn.length === 0 ? 'at the start' : RUN_IF_LABELS[step.runIf]}</td>
                  <td className="description mono small">{step.prompt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel" aria-labelledby="history-heading">
        <h2 id="history-heading">Runs</h2>
        <WorkflowRunsTable
          initial={listWorkflowRuns(db, { workflowId: workflow.id, limit: RUN_HISTORY_LIMIT }).items}
          renderedAt={Date.now()}
          limit={RUN_HISTORY_LIMIT}
          workflowId={workflow.id}
        />
      </section>
    </>
  );
}
