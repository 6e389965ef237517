import type { BudgetKind } from '../contracts/costs';
import { microsToUsd, usdToMicros } from '../contracts/executions';
import { DomainError } from '../core/errors';
import type { Db } from '../db';
import { runOnSqlite } from '../db/plan';
import { getMonthSpendMicros, monthKey } from '../db/queries/costs';
import { getAppSettings } from '../db/queries/settings';
import type { AgentConfiguration } from '../db/schema';
import { sqliteStore } from '../db/store';
import { formatUsd } from '../presentation/format';

export interface BudgetBreach {
  budget: BudgetKind;
  limitMicros: number;
  spentMicros: number;
  message: string;
}

const usd = (micros: number) => formatUsd(microsToUsd(micros));

interface MonthlyLimit {
  budget: 'agent_monthly' | 'global_monthly';
  limitMicros: number;
  spentMicros: number;
  label: string;
}

/** The monthly budgets that apply to an agent, with the current UTC month's spend against each. */
function monthlyLimits(db: Db, agent: AgentConfiguration, now: number): MonthlyLimit[] {
  const month = monthKey(now);
  const limits: MonthlyLimit[] = [];
  if (agent.monthlyBudgetMicros !== null) {
    limits.push({
      budget: 'agent_monthly',
      limitMicros: agent.monthlyBudgetMicros,
      spentMicros: getMonthSpendMicros(db, month, agent.id),
      label: `The monthly budget of agent "${agent.name}"`,
    });
  }
  const globalUsd = runOnSqlite(getAppSettings(sqliteStore(db))).monthlyBudgetUsd;
  if (globalUsd !== null) {
    limits.push({
      budget: 'global_monthly',
      limitMicros: usdToMicros(globalUsd),
      spentMicros: getMonthSpendMicros(db, month),
      label: 'The global monthly budget',
    });
  }
  return limits;
}

function monthlyBreach(db: Db, agent: AgentConfiguration, now: number): BudgetBreach | null {
  const hit = monthlyLimits(db, agent, now).find((limit) => limit.spentMicros >= limit.limitMicros);
  if (!hit) return null;
  return {
    budget: hit.budget,
    limitMicros: hit.limitMicros,
    spentMicros: hit.spentMicros,
    message: `${hit.label} (${usd(hit.limitMicros)}) is exhausted: ${usd(hit.spentMicros)} spent in ${monthKey(now)}`,
  };
}

/**
 * Checked after every usage event of a running run. The summaries already hold this run's spend
 * (it is written before the check), so "reaching" a budget means spent ≥ limit.
 */
export function runBudgetBreach(
  db: Db,
  agent: AgentConfiguration,
  runCostMicros: number,
  now: number,
  /** What is left of the workflow's budget for this step, when it is one. */
  workflowCapMicros: number | null = null,
): BudgetBreach | null {
  const cap = agent.maxCostPerRunMicros;
  if (cap !== null && runCostMicros >= cap) {
    return {
      budget: 'per_run',
      limitMicros: cap,
      spentMicros: runCostMicros,
      message: `Reached the per-run cap of ${usd(cap)}: ${usd(runCostMicros)} spent`,
    };
  }
  if (workflowCapMicros !== null && runCostMicros >= workflowCapMicros) {
    return {
      budget: 'workflow',
      limitMicros: workflowCapMicros,
      spentMicros: runCostMicros,
      message: `Reached what was left of the workflow's budget (${usd(workflowCapMicros)}): ${usd(runCostMicros)} spent`,
    };
  }
  return monthlyBreach(db, agent, now);
}

/** Before a run starts (or a queued one is dispatched): refused, naming the exhausted budget. */
export function assertBudgetLeft(db: Db, agent: AgentConfiguration, now: number): void {
  const breach = monthlyBreach(db, agent, now);
  if (!breach) return;
  throw new DomainError('budget_exhausted', breach.message, undefined, {
    budget: breach.budget,
    limitUsd: microsToUsd(breach.limitMicros),
    spentUsd: microsToUsd(breach.spentMicros),
  });
}

/**
 * The SDK's own `maxBudgetUsd`, a second line behind our live check: the smaller of the per-run
 * cap and what is left of each monthly budget. Undefined when no budget applies.
 */
export function sdkBudgetUsd(
  db: Db,
  agent: AgentConfiguration,
  now: number,
  workflowCapMicros: number | null = null,
): number | undefined {
  const left = monthlyLimits(db, agent, now).map((limit) => limit.limitMicros - limit.spentMicros);
  if (agent.maxCostPerRunMicros !== null) left.push(agent.maxCostPerRunMicros);
  if (workflowCapMicros !== null) left.push(workflowCapMicros);
  if (left.length === 0) return undefined;
  return microsToUsd(Math.max(0, Math.min(...left)));
}
