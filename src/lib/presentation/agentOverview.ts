import type { ExecutionSummary } from '../contracts/executions';
import { isActiveStatus } from '../contracts/executions';

export interface AgentRunStats {
  /** Runs that ended, of those given. */
  ended: number;
  /** Share of ended runs that completed, 0–1; null without any. */
  successRate: number | null;
  /** Median duration of the ended runs; null without any. */
  p50DurationMs: number | null;
}

/** How an agent's recent runs went: success rate and median duration of the ones that ended. */
export function agentRunStats(runs: readonly ExecutionSummary[]): AgentRunStats {
  const ended = runs.filter((run) => !isActiveStatus(run.status));
  const durations = ended
    .map((run) => run.durationMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  const middle = Math.floor(durations.length / 2);
  const p50DurationMs =
    durations.length === 0
      ? null
      : durations.length % 2 === 1
        ? (durations[middle] ?? null)
        : ((durations[middle - 1] ?? 0) + (durations[middle] ?? 0)) / 2;
  return {
    ended: ended.length,
    successRate:
      ended.length === 0 ? null : ended.filter((run) => run.status === 'completed').length / ended.length,
    p50DurationMs,
  };
}

/** Runs keep hitting denials: at least two of the recent ones, and at least a quarter of them. */
export function keepsHittingDenials(summary: { runs: number; runsWithDenials: number }): boolean {
  return summary.runsWithDenials >= 2 && summary.runsWithDenials * 4 >= summary.runs;
}
