import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { definitionNodes } from '@/components/features/workflows/definitionNodes';
import { RunWorkflowForm } from '@/components/features/workflows/RunWorkflowForm';
import { WorkflowGraph } from '@/components/features/workflows/WorkflowGraph';
import { WorkflowRunsTable } from '@/components/features/workflows/WorkflowRunsTable';
import { WorkflowStepsTable } from '@/components/features/workflows/WorkflowStepsTable';
import { Tag } from '@/components/ui/Badge';
import { ButtonLink } from '@/components/ui/Button';
import { Callout } from '@/components/ui/Callout';
import { ConfirmDeleteButton } from '@/components/ui/ConfirmDeleteButton';
import { Hint } from '@/components/ui/FormParts';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { getStore } from '@/lib/db/store';
import { formatUsd } from '@/lib/presentation/format';
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
  return { title: (await loadWorkflow((await params).id))?.name ?? 'Workflow not found' };
}

export default async function WorkflowPage({ params, searchParams }: WorkflowPageProps) {
  const workflow = await loadWorkflow((await params).id);
  if (!workflow) notFound();
  const created = (await searchParams).created === '1';
  const store = getStore();
  const names = await agentNamesById(store);
  const runs = await execute(
    store,
    listWorkflowRuns(store, { workflowId: workflow.id, limit: RUN_HISTORY_LIMIT }),
  );

  return (
    <>
      <PageHeader
        titleTestId="workflow-title"
        title={
          <>
            {workflow.name}
            <Tag>version {workflow.version}</Tag>
          </>
        }
        description={workflow.description || undefined}
        actions={
          <>
            <ButtonLink href={`/workflows/${workflow.id}/edit`} data-testid="workflow-edit-link">
              Edit
            </ButtonLink>
            <ConfirmDeleteButton
              apiPath={`/api/workflows/${workflow.id}`}
              question={`Delete ${workflow.name}? Its runs stay in the history.`}
              then="/workflows"
              testId="workflow-delete"
            />
          </>
        }
      />
      {created ? (
        <Callout tone="ok" testId="workflow-created" as="p">
          Workflow saved. Run it below.
        </Callout>
      ) : null}
      <Panel title="Run">
        <Hint>
          {workflow.steps.length} steps, at most {workflow.maxParallel} at once
          {workflow.maxCostUsd === null ? '' : `, within ${formatUsd(workflow.maxCostUsd)} per run`}.
        </Hint>
        <RunWorkflowForm workflowId={workflow.id} fields={workflow.inputs} />
      </Panel>
      <Panel title="Steps">
        <WorkflowGraph
          id="workflow"
          layout={layoutWorkflow(workflow.steps)}
          nodes={definitionNodes(workflow.steps, new Map(Object.entries(names)))}
          label={`${workflow.name}: each arrow leads from a dependency to the step that waits for it`}
        />
        <WorkflowStepsTable steps={workflow.steps} agentNames={names} />
      </Panel>
      <Panel title="Runs">
        <WorkflowRunsTable initial={runs.items} limit={RUN_HISTORY_LIMIT} workflowId={workflow.id} />
      </Panel>
    </>
  );
}
