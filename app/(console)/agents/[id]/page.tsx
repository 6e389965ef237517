import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { AgentForm } from '@/components/features/agents/AgentForm';
import { DeleteAgentButton } from '@/components/features/agents/DeleteAgentButton';
import { RunButton } from '@/components/features/agents/RunButton';
import { RecentExecutions } from '@/components/features/dashboard/RecentExecutions';
import { ScheduleForm } from '@/components/features/schedules/ScheduleForm';
import { ScheduleTable } from '@/components/features/schedules/ScheduleTable';
import { getDb } from '@/lib/db';
import { getAgentById, toAgentDto } from '@/lib/db/queries/agents';
import { listExecutions } from '@/lib/db/queries/executions';
import { localTimeZone } from '@/lib/scheduling/cron';
import { listSchedules, listScheduleTargets } from '@/lib/scheduling/schedules';
import { withQueuePositions } from '@/lib/server/runtime';
import { parseIdParam } from '../../../_lib/params';

export const dynamic = 'force-dynamic';

const RUN_HISTORY_LIMIT = 50;

interface AgentPageProps {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

// Metadata and page share one read per request.
const loadAgent = cache((idParam: string) => {
  const id = parseIdParam(idParam);
  const row = id === undefined ? undefined : getAgentById(getDb(), id);
  return row && toAgentDto(row);
});

export async function generateMetadata({ params }: AgentPageProps): Promise<Metadata> {
  const agent = loadAgent((await params).id);
  return { title: agent?.name ?? 'Agent not found' };
}

export default async function AgentPage({ params, searchParams }: AgentPageProps) {
  const agent = loadAgent((await params).id);
  if (!agent) notFound();
  const created = (await searchParams).created === '1';
  const runs = withQueuePositions(
    listExecutions(getDb(), { agentId: agent.id, limit: RUN_HISTORY_LIMIT }).items,
  );

  return (
    <>
      <div className="page-head">
        <h1 data-testid="agent-title">
          {agent.name}
          {agent.builtin ? <span className="tag">built-in</span> : null}
        </h1>
        <div className="page-actions">
          <RunButton agentId={agent.id} agentName={agent.name} />
          <DeleteAgentButton agentId={agent.id} agentName={agent.name} />
        </div>
      </div>
      {created ? (
        <p className="callout callout-ok" role="status" data-testid="agent-created">
          Agent created. Run it here or from the dashboard.
        </p>
      ) : null}
      <section className="panel" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        <AgentForm agent={agent} />
      </section>
      <section className="panel" aria-labelledby="agent-schedules-heading" data-testid="agent-schedules">
        <h2 id="agent-schedules-heading">Schedules</h2>
        <ScheduleTable
          initial={listSchedules(getDb(), { agentId: agent.id, limit: 100 }).items}
          showTarget={false}
        />
        <details className="new-schedule">
          <summary data-testid="agent-new-schedule">New schedule</summary>
          <ScheduleForm
            targets={listScheduleTargets(getDb())}
            fixedAgentId={agent.id}
            defaultTimeZone={localTimeZone()}
            renderedAt={Date.now()}
          />
        </details>
      </section>
      <section className="panel" aria-labelledby="history-heading">
        <h2 id="history-heading">Runs</h2>
        <RecentExecutions
          initial={runs}
          renderedAt={Date.now()}
          limit={RUN_HISTORY_LIMIT}
          agentId={agent.id}
        />
      </section>
    </>
  );
}
