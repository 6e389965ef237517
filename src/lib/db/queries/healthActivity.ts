import { and, count, desc, eq, gte, inArray } from 'drizzle-orm';
import { ACTIVE_STATUSES } from '../../contracts/executions';
import { firstOf, type Plan, rowsOf } from '../plan';
import type { Store } from '../store';
import { dayKey, sumOf } from './costs';

// Dialect-neutral plans (see plan.ts) for the System Health Reporter's `claudeops_activity` tool.

/** The endings the health reporter counts as failures. */
const FAILED = ['failed', 'timeout', 'budget_exceeded', 'interrupted'] as const;

export interface ClaudeopsActivityRows {
  /** The last 10 runs created since `since` that ended badly, newest first. */
  failures: {
    id: number;
    agent: string;
    status: string;
    errorCode: string | null;
    errorMessage: string | null;
    finishedAt: number | null;
  }[];
  activeRuns: number;
  /** Today's spend (UTC day of `now`), in micro-dollars. */
  spendTodayMicros: number;
}

export function* getClaudeopsActivity(
  { db, t }: Store,
  since: number,
  now: number,
): Plan<ClaudeopsActivityRows> {
  const { executions, agentConfigurations, dailyCostSummaries } = t;
  const failures = yield* rowsOf(
    db
      .select({
        id: executions.id,
        agent: agentConfigurations.name,
        status: executions.status,
        errorCode: executions.errorCode,
        errorMessage: executions.errorMessage,
        finishedAt: executions.finishedAt,
      })
      .from(executions)
      .innerJoin(agentConfigurations, eq(agentConfigurations.id, executions.agentId))
      .where(and(inArray(executions.status, [...FAILED]), gte(executions.createdAt, since)))
      .orderBy(desc(executions.id))
      .limit(10),
  );
  const active = yield* firstOf(
    db
      .select({ count: count() })
      .from(executions)
      .where(inArray(executions.status, [...ACTIVE_STATUSES])),
  );
  const today = yield* firstOf(
    db
      .select({ micros: sumOf(dailyCostSummaries.costMicros) })
      .from(dailyCostSummaries)
      .where(eq(dailyCostSummaries.day, dayKey(now))),
  );
  return { failures, activeRuns: active?.count ?? 0, spendTodayMicros: today?.micros ?? 0 };
}
