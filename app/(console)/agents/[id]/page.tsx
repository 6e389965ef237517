import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { AgentForm } from '@/components/features/agents/AgentForm';
import { DeleteAgentButton } from '@/components/features/agents/DeleteAgentButton';
import { RunButton } from '@/components/features/agents/RunButton';
import { RecentExecutions } from '@/components/features/dashboard/RecentExecutions';
import { ScheduleForm } from '@/components/features/schedules/ScheduleForm';
import { ScheduleTable } from '@/components/features/schedules/ScheduleTable';
import { Tag } from '@/components/ui/Badge';
import { Callout } from '@/components/ui/Callout';
import { Disclosure } from '@/components/ui/Disclosure';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
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
      <PageHeader
        titleTestId="agent-title"
        title={
          <>
            {agent.name}
            {agent.builtin ? <Tag>built-in</Tag> : null}
          </>
        }
        description={agent.description || undefined}
        actions={
          <>
            <RunButton agentId={agent.id} agentName={agent.name} />
            <DeleteAgentButton agentId={agent.id} agentName={agent.name} />
          </>
        }
      />
      {created ? (
        <Callout tone="ok" testId="agent-created" as="p">
          Agent created. Run it here or from the dashboard.
        </Callout>
      ) : null}
      <Panel title="Settings">
        <AgentForm agent={agent} />
      </Panel>
      <Panel title="Schedules" testId="agent-schedules">
        <ScheduleTable
          initial={listSchedules(getDb(), { agentId: agent.id, limit: 100 }).items}
          showTarget={false}
        />
        <Disclosure summary="New schedule" summaryTestId="agent-new-schedule">
          <ScheduleForm
            targets={listScheduleTargets(getDb())}
            fixedAgentId={agent.id}
            defaultTimeZone={localTimeZone()}
            renderedAt={Date.now()}
          />
        </Disclosure>
      </Panel>
      <Panel title="Runs">
        <RecentExecutions initial={runs} limit={RUN_HISTORY_LIMIT} agentId={agent.id} />
      </Panel>
    </>
  );
}
