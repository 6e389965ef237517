import type { Metadata } from 'next';
import { WorkflowEditor } from '@/components/features/workflows/WorkflowEditor';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { getStore } from '@/lib/db/store';
import { editorAgents } from '../editorAgents';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New workflow' };

export default async function NewWorkflowPage() {
  return (
    <>
      <PageHeader title="New workflow" />
      <Panel>
        <WorkflowEditor agents={await editorAgents(getStore())} />
      </Panel>
    </>
  );
}
