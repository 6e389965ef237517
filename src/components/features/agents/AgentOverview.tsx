import { Callout } from '@/components/ui/Callout';
import { Fact, Facts } from '@/components/ui/Facts';
import { Time } from '@/components/ui/Time';
import type { AgentRunStats } from '@/lib/presentation/agentOverview';
import { formatDuration, formatPercent, formatUsd, formatUsdExact } from '@/lib/presentation/format';

export interface AgentDenials {
  runs: number;
  runsWithDenials: number;
  deniedToolCalls: number;
  tools: { toolName: string; count: number }[];
}

/** An agent at a glance: how its recent runs went, what it spent this month, when it runs next. */
export function AgentOverview({
  stats,
  recentRuns,
  monthCostUsd,
  nextRunAt,
  denials,
}: {
  stats: AgentRunStats;
  recentRuns: number;
  monthCostUsd: number;
  nextRunAt: number | null;
  /** Set when its recent runs keep hitting denials. */
  denials: AgentDenials | null;
}) {
  return (
    <>
      {denials ? (
        <Callout tone="warn" title="Its runs keep hitting denied tool calls" testId="agent-denials">
          {denials.runsWithDenials} of its last {denials.runs} runs had calls denied (
          {denials.deniedToolCalls} in all:{' '}
          {denials.tools.map((tool) => `${tool.toolName} ×${tool.count}`).join(', ')}). Allow what it needs
          under Settings → Permissions, or let it ask.
        </Callout>
      ) : null}
      <Facts>
        <Fact label="Recent runs" testId="agent-recent-runs">
          {recentRuns}
        </Fact>
        <Fact label="Success rate" testId="agent-success-rate">
          {stats.successRate === null ? '—' : formatPercent(stats.successRate)}
        </Fact>
        <Fact label="Median duration" testId="agent-p50-duration">
          {formatDuration(stats.p50DurationMs)}
        </Fact>
        <Fact label="Cost this month" testId="agent-month-cost">
          <span title={formatUsdExact(monthCostUsd)}>{formatUsd(monthCostUsd)}</span>
        </Fact>
        <Fact label="Next scheduled run" testId="agent-next-run">
          {nextRunAt === null ? 'none' : <Time epochMs={nextRunAt} format="relative" />}
        </Fact>
      </Facts>
    </>
  );
}
