import { BudgetWarnings } from '@/components/features/costs/BudgetWarnings';
import { Dashboard, RECENT_EXECUTIONS_LIMIT } from '@/components/features/dashboard/Dashboard';
import { ScheduleOverview } from '@/components/features/schedules/ScheduleOverview';
import { microsToUsd } from '@/lib/contracts/executions';
import { getDb } from '@/lib/db';
import { listAgents } from '@/lib/db/queries/agents';
import { getBudgetStatuses } from '@/lib/db/queries/costReports';
import { getMonthSpendMicros, monthKey } from '@/lib/db/queries/costs';
import { listExecutions } from '@/lib/db/queries/executions';
import { getRuntime, withQueuePositions } from '@/lib/runtime';
import { listSchedulesNeedingAttention, listUpcomingSchedules } from '@/lib/scheduling/schedules';
import { ATTENTION_LIMIT, UPCOMING_LIMIT } from '@/lib/views/scheduleView';

export const dynamic = 'force-dynamic';

export default function DashboardPage() {
  const db = getDb();
  const now = Date.now();
  const month = monthKey(now);
  return (
    <>
      <BudgetWarnings budgets={getBudgetStatuses(db, now)} />
      <Dashboard
        agents={listAgents(db)}
        executions={withQueuePositions(listExecutions(db, { limit: RECENT_EXECUTIONS_LIMIT }).items)}
        monthSpendUsd={microsToUsd(getMonthSpendMicros(db, month))}
        month={month}
        renderedAt={now}
        circuit={getRuntime()?.engine.circuit() ?? null}
      />
      <ScheduleOverview
        upcoming={listUpcomingSchedules(db, UPCOMING_LIMIT)}
        attention={listSchedulesNeedingAttention(db, ATTENTION_LIMIT)}
      />
    </>
  );
}
