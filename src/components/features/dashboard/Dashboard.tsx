import Link from 'next/link';
import type { AgentDto } from '@/lib/contracts/agents';
import type { ExecutionSummary } from '@/lib/contracts/executions';
import type { MetricsWindowDto } from '@/lib/contracts/metrics';
import type { CircuitBreakerDto } from '@/lib/contracts/system';
import { formatSpend } from '@/lib/presentation/format';
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
  renderedAt: number;
  /** Null when the page is served without the agent runtime. */
  circuit: CircuitBreakerDto | null;
  /** The host's last minutes, for the CPU, memory and disk sparklines. */
  host: MetricsWindowDto;
}

export function Dashboard({
  agents,
  executions,
  monthSpendUsd,
  month,
  renderedAt,
  circuit,
  host,
}: DashboardProps) {
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <div className="stat" title={`Spend recorded for ${month} (UTC)`}>
          <span className="stat-label">Spend this month</span>
          <span className="stat-value" data-testid="month-spend">
            {formatSpend(monthSpendUsd)}
          </span>
        </div>
      </div>
      <HostSummary initial={host} spanMs={HOST_SPARKLINE_MS} />
      <CircuitBreakerStatus initial={circuit} />
      <section className="panel" aria-labelledby="agents-heading">
        <div className="panel-head">
          <h2 id="agents-heading">Agents</h2>
          <Link href="/agents/new" className="button" data-testid="new-agent-link">
            New agent
          </Link>
        </div>
        <AgentList agents={agents} />
      </section>
      <section className="panel" aria-labelledby="runs-heading">
        <div className="panel-head">
          <h2 id="runs-heading">Recent runs</h2>
        </div>
        <RecentExecutions initial={executions} renderedAt={renderedAt} limit={RECENT_EXECUTIONS_LIMIT} />
      </section>
    </>
  );
}
