import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { WorkflowEditor } from '@/components/features/workflows/WorkflowEditor';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { getStore } from '@/lib/db/store';
import { editorAgents } from '../../editorAgents';
import { loadWorkflow } from '../loadWorkflow';

export const dynamic = 'force-dynamic';

interface EditWorkflowPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: EditWorkflowPageProps): Promise<Metadata> {
  const workflow = await loadWorkflow((await params).id);
  return { title: workflow ? `Edit ${workflow.name}` : 'Workflow not found' };
}

export default async function EditWorkflowPage({ params }: EditWorkflowPageProps) {
  const workflow = await loadWorkflow((await params).id);
  if (!workflow) notFound();
  return (
    <>
      <PageHeader
        title={`Edit ${workflow.name}`}
        description={`Saving makes version ${workflow.version + 1}; runs under way keep the version they started with.`}
      />
      <Panel>
        <WorkflowEditor workflow={workflow} agents={await editorAgents(getStore())} />
      </Panel>
    </>
  );
}
