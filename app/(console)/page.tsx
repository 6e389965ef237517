import { BudgetWarnings } from '@/components/features/costs/BudgetWarnings';
import {
  Dashboard,
  HOST_SPARKLINE_MS,
  RECENT_EXECUTIONS_LIMIT,
} from '@/components/features/dashboard/Dashboard';
import { HealthCard, type HealthCardProps } from '@/components/features/health/HealthCard';
import { ScheduleOverview } from '@/components/features/schedules/ScheduleOverview';
import { WorkflowRunsTable } from '@/components/features/workflows/WorkflowRunsTable';
import { ButtonLink } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { thisHost } from '@/lib/config/host';
import { microsToUsd } from '@/lib/contracts/executions';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import { getBudgetStatuses } from '@/lib/db/queries/costReports';
import { monthKey, monthSpendMicrosOf } from '@/lib/db/queries/costs';
import { getRecentMetrics } from '@/lib/db/queries/metrics';
import { listExecutions } from '@/lib/db/queries/runList';
import { countPausedSchedules } from '@/lib/db/queries/schedules';
import { listWorkflowRuns } from '@/lib/db/queries/workflowRuns';
import { getStore, type Store } from '@/lib/db/store';
import { getLatestHealthReport, recentHealthReports } from '@/lib/health/reports';
import { HEADLINE_METRICS } from '@/lib/presentation/metricsView';
import { ATTENTION_LIMIT, UPCOMING_LIMIT } from '@/lib/presentation/scheduleView';
import { listSchedulesNeedingAttention, listUpcomingSchedules } from '@/lib/scheduling/schedules';
import { getRuntime, withQueuePositions } from '@/lib/server/runtime';
import { healthControls } from '../_lib/healthControls';

export const dynamic = 'force-dynamic';

const RECENT_WORKFLOW_RUNS_LIMIT = 10;

async function healthCardProps(store: Store, now: number): Promise<HealthCardProps> {
  return {
    recent: await recentHealthReports(store, now),
    latest: await getLatestHealthReport(store),
    ...(await healthControls(store)),
  };
}

export default async function DashboardPage() {
  const store = getStore();
  const recent = await listExecutions(store, { limit: RECENT_EXECUTIONS_LIMIT });
  const now = Date.now();
  const month = monthKey(now);
  return (
    <Dashboard
      agents={await execute(store, listAgents(store))}
      executions={withQueuePositions(recent.items)}
      monthSpendUsd={microsToUsd(await execute(store, monthSpendMicrosOf(store, month)))}
      month={month}
      circuit={getRuntime()?.engine.circuit() ?? null}
      host={
        await execute(store, getRecentMetrics(store, thisHost(), now, HOST_SPARKLINE_MS, HEADLINE_METRICS))
      }
      notices={<BudgetWarnings budgets={await getBudgetStatuses(store, now)} />}
      health={<HealthCard {...(await healthCardProps(store, now))} />}
      after={
        <>
          <Panel
            title="Recent workflow runs"
            actions={
              <ButtonLink href="/workflows" data-testid="workflows-link">
                Workflows
              </ButtonLink>
            }
          >
            <WorkflowRunsTable
              initial={
                (await execute(store, listWorkflowRuns(store, { limit: RECENT_WORKFLOW_RUNS_LIMIT }))).items
              }
              limit={RECENT_WORKFLOW_RUNS_LIMIT}
            />
          </Panel>
          <ScheduleOverview
            upcoming={await execute(store, listUpcomingSchedules(store, UPCOMING_LIMIT))}
            attention={await execute(store, listSchedulesNeedingAttention(store, ATTENTION_LIMIT))}
            pausedCount={await execute(store, countPausedSchedules(store))}
          />
        </>
      }
    />
  );
}
