import type { Metadata } from 'next';
import { AgentList } from '@/components/features/dashboard/AgentList';
import { ButtonLink } from '@/components/ui/Button';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import { getStore } from '@/lib/db/store';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Agents' };

export default async function AgentsPage() {
  const store = getStore();
  return (
    <>
      <PageHeader
        title="Agents"
        description="Claude Code agents this machine runs: each with its prompt, tools, limits and budget."
        actions={
          <ButtonLink href="/agents/new" variant="primary" data-testid="nav-new-agent">
            New agent
          </ButtonLink>
        }
      />
      <Panel>
        <AgentList agents={await execute(store, listAgents(store))} />
      </Panel>
    </>
  );
}
