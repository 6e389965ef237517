import type { Metadata } from 'next';
import { AgentForm } from '@/components/features/agents/AgentForm';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New agent' };

export default function NewAgentPage() {
  return (
    <>
      <PageHeader title="New agent" />
      <Panel>
        <AgentForm />
      </Panel>
    </>
  );
}
