import type { ReactNode } from 'react';
import { ButtonLink } from '@/components/ui/Button';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { Stat } from '@/components/ui/Stat';
import type { AgentDto } from '@/lib/contracts/agents';
import type { ExecutionSummary } from '@/lib/contracts/executions';
import type { MetricsWindowDto } from '@/lib/contracts/metrics';
import type { CircuitBreakerDto } from '@/lib/contracts/system';
import { formatUsd } from '@/lib/presentation/format';
import { HostSummary } from '../metrics/HostSummary';
import { AgentList } from './AgentList';
import { CircuitBreakerStatus } from './CircuitBreakerStatus';
import { RecentExecutions } from './RecentExecutions';

export const RECENT_EXECUTIONS_LIMIT = 25;
/** How far back the dashboard's host sparklines reach. */
export const HOST_SPARKLINE_MS = 15 * 60_000;

export interface DashboardProps {
  agents: AgentDto[];
  executions: ExecutionSummary[];
  monthSpendUsd: number;
  /** `2026-11`: the UTC month the spend covers. */
  month: string;
  /** Null when the page is served without the agent runtime. */
  circuit: CircuitBreakerDto | null;
  /** The host's last minutes, for the CPU, memory and disk sparklines. */
  host: MetricsWindowDto;
  /** Notices under the title (budgets), the health card, and what follows the runs. */
  notices: ReactNode;
  health: ReactNode;
  after: ReactNode;
}

export function Dashboard({
  agents,
  executions,
  monthSpendUsd,
  month,
  circuit,
  host,
  notices,
  health,
  after,
}: DashboardProps) {
  return (
    <>
      <PageHeader
        title="Dashboard"
        actions={
          <Stat
            label="Spend this month"
            testId="month-spend"
            align="end"
            title={`Spend recorded for ${month} (UTC)`}
          >
            {formatUsd(monthSpendUsd)}
          </Stat>
        }
      />
      {notices}
      <HostSummary initial={host} spanMs={HOST_SPARKLINE_MS} />
      <CircuitBreakerStatus initial={circuit} />
      {health}
      <Panel
        title="Recent runs"
        actions={
          <ButtonLink href="/runs" data-testid="all-runs-link">
            All runs
          </ButtonLink>
        }
      >
        <RecentExecutions initial={executions} limit={RECENT_EXECUTIONS_LIMIT} />
      </Panel>
      <Panel
        title="Agents"
        actions={
          <ButtonLink href="/agents/new" data-testid="new-agent-link">
            New agent
          </ButtonLink>
        }
      >
        <AgentList agents={agents} />
      </Panel>
      {after}
    </>
  );
}
