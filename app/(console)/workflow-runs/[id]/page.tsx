import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { WorkflowRunView } from '@/components/features/workflows/WorkflowRunView';
import { execute } from '@/lib/db/plan';
import { getWorkflowRun } from '@/lib/db/queries/workflowRuns';
import { getStore } from '@/lib/db/store';
import { parseIdParam } from '../../../_lib/params';
import { agentNamesById } from '../../workflows/editorAgents';

export const dynamic = 'force-dynamic';

interface WorkflowRunPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: WorkflowRunPageProps): Promise<Metadata> {
  return { title: `Workflow run #${(await params).id}` };
}

export default async function WorkflowRunPage({ params }: WorkflowRunPageProps) {
  const id = parseIdParam((await params).id);
  const store = getStore();
  const run = id === undefined ? undefined : await execute(store, getWorkflowRun(store, id));
  if (!run) notFound();
  return <WorkflowRunView initial={run} agentNames={await agentNamesById(getStore())} />;
}
