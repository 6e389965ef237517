import type { Metadata } from 'next';
import { AgentForm } from '@/components/features/agents/AgentForm';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New agent' };

export default function NewAgentPage() {
  return (
    <>
      <div className="page-head">
        <h1>New agent</h1>
      </div>
      <section className="panel">
        <AgentForm />
      </section>
    </>
  );
}
