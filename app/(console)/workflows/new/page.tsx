import type { Metadata } from 'next';
import { WorkflowEditor } from '@/components/features/workflows/WorkflowEditor';
import { getDb } from '@/lib/db';
import { editorAgents } from '../editorAgents';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New workflow' };

export default function NewWorkflowPage() {
  return (
    <>
      <div className="page-head">
        <h1>New workflow</h1>
      </div>
      <section className="panel">
        <WorkflowEditor agents={editorAgents(getDb())} />
      </section>
    </>
  );
}
