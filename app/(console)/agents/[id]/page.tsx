import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { AgentForm } from '@/components/features/agents/AgentForm';
import { AgentOverview } from '@/components/features/agents/AgentOverview';
import { AgentPromptRun } from '@/components/features/agents/AgentPromptRun';
import { DeleteAgentButton } from '@/components/features/agents/DeleteAgentButton';
import { RememberedRules } from '@/components/features/agents/RememberedRules';
import { RunButton } from '@/components/features/agents/RunButton';
import { RecentExecutions } from '@/components/features/dashboard/RecentExecutions';
import { ScheduleForm } from '@/components/features/schedules/ScheduleForm';
import { ScheduleTable } from '@/components/features/schedules/ScheduleTable';
import { Tag } from '@/components/ui/Badge';
import { Callout } from '@/components/ui/Callout';
import { Disclosure } from '@/components/ui/Disclosure';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel, PanelGrid } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { microsToUsd } from '@/lib/contracts/executions';
import { execute } from '@/lib/db/plan';
import { getAgentById, toAgentDto } from '@/lib/db/queries/agents';
import { monthKey, monthSpendMicrosOf } from '@/lib/db/queries/costs';
import { agentDenialSummary } from '@/lib/db/queries/executions';
import { listExecutions } from '@/lib/db/queries/runList';
import { getStore } from '@/lib/db/store';
import { agentRunStats, keepsHittingDenials } from '@/lib/presentation/agentOverview';
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
const loadAgent = cache(async (idParam: string) => {
  const id = parseIdParam(idParam);
  if (id === undefined) return undefined;
  const store = getStore();
  const row = await execute(store, getAgentById(store, id));
  return row && toAgentDto(row);
});

export async function generateMetadata({ params }: AgentPageProps): Promise<Metadata> {
  const agent = await loadAgent((await params).id);
  return { title: agent?.name ?? 'Agent not found' };
}

/** The soonest slot of the agent's schedules, if any is due to fire. */
function nextRunOf(nextRuns: readonly (readonly string[])[]): number | null {
  const firsts = nextRuns.flatMap((runs) => (runs[0] === undefined ? [] : [Date.parse(runs[0])]));
  return firsts.length === 0 ? null : Math.min(...firsts);
}

export default async function AgentPage({ params, searchParams }: AgentPageProps) {
  const agent = await loadAgent((await params).id);
  if (!agent) notFound();
  const store = getStore();
  const created = (await searchParams).created === '1';
  const runs = withQueuePositions(
    (await listExecutions(store, { agentId: agent.id, limit: RUN_HISTORY_LIMIT })).items,
  );
  const schedules = (await execute(store, listSchedules(store, { agentId: agent.id, limit: 100 }))).items;
  const denials = await execute(store, agentDenialSummary(store, agent.id));
  const now = Date.now();

  const overview = (
    <>
      <AgentOverview
        stats={agentRunStats(runs)}
        recentRuns={runs.length}
        monthCostUsd={microsToUsd(await execute(store, monthSpendMicrosOf(store, monthKey(now), agent.id)))}
        nextRunAt={nextRunOf(schedules.map((schedule) => schedule.nextRuns))}
        denials={keepsHittingDenials(denials) ? denials : null}
      />
      <PanelGrid>
        <Panel title="Run it">
          <AgentPromptRun agentId={agent.id} defaultPrompt={agent.defaultPrompt} />
        </Panel>
      </PanelGrid>
      <Panel title="Runs">
        <RecentExecutions initial={runs} limit={RUN_HISTORY_LIMIT} agentId={agent.id} />
      </Panel>
    </>
  );
  const settings = (
    <Panel title="Settings">
      <AgentForm agent={agent} />
      <RememberedRules agentId={agent.id} rules={agent.rememberedTools} />
    </Panel>
  );
  const scheduleTab = (
    <Panel title="Schedules" testId="agent-schedules">
      <ScheduleTable initial={schedules} showTarget={false} />
      <Disclosure summary="New schedule" summaryTestId="agent-new-schedule">
        <ScheduleForm
          targets={await execute(store, listScheduleTargets(store))}
          fixedAgentId={agent.id}
          defaultTimeZone={localTimeZone()}
          renderedAt={now}
        />
      </Disclosure>
    </Panel>
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
      <Tabs
        label={`${agent.name}: sections`}
        tabs={[
          { value: 'overview', label: 'Overview', testId: 'agent-tab-overview', content: overview },
          { value: 'settings', label: 'Settings', testId: 'agent-tab-settings', content: settings },
          {
            value: 'schedules',
            label: `Schedules (${schedules.length})`,
            testId: 'agent-tab-schedules',
            content: scheduleTab,
          },
        ]}
      />
    </>
  );
}
