import type { BudgetKind } from '../contracts/costs';
import { microsToUsd, usdToMicros } from '../contracts/executions';
import { DomainError } from '../core/errors';
import type { Plan } from '../db/plan';
import { monthKey, monthSpendMicrosOf } from '../db/queries/costs';
import { getAppSettings } from '../db/queries/settings';
import type { AgentConfiguration } from '../db/schema';
import type { Store } from '../db/store';
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
function* monthlyLimitsOf(store: Store, agent: AgentConfiguration, now: number): Plan<MonthlyLimit[]> {
  const month = monthKey(now);
  const limits: MonthlyLimit[] = [];
  if (agent.monthlyBudgetMicros !== null) {
    limits.push({
      budget: 'agent_monthly',
      limitMicros: agent.monthlyBudgetMicros,
      spentMicros: yield* monthSpendMicrosOf(store, month, agent.id),
      label: `The monthly budget of agent "${agent.name}"`,
    });
  }
  const globalUsd = (yield* getAppSettings(store)).monthlyBudgetUsd;
  if (globalUsd !== null) {
    limits.push({
      budget: 'global_monthly',
      limitMicros: usdToMicros(globalUsd),
      spentMicros: yield* monthSpendMicrosOf(store, month),
      label: 'The global monthly budget',
    });
  }
  return limits;
}

/** The monthly budget that refuses a run of the agent now (spent ≥ limit), with its figures, or null. */
export function* monthlyBreachOf(
  store: Store,
  agent: AgentConfiguration,
  now: number,
): Plan<BudgetBreach | null> {
  const hit = (yield* monthlyLimitsOf(store, agent, now)).find(
    (limit) => limit.spentMicros >= limit.limitMicros,
  );
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
 * (it is written before the check, in the same transaction), so "reaching" a budget means
 * spent ≥ limit.
 */
export function* runBudgetBreach(
  store: Store,
  agent: AgentConfiguration,
  runCostMicros: number,
  now: number,
  /** What is left of the workflow's budget for this step, when it is one. */
  workflowCapMicros: number | null = null,
): Plan<BudgetBreach | null> {
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
  return yield* monthlyBreachOf(store, agent, now);
}

/** A spent monthly budget as the refusal of a run (a 409 naming the budget). */
export function budgetExhausted(breach: BudgetBreach): DomainError {
  return new DomainError('budget_exhausted', breach.message, undefined, breachFigures(breach));
}

/** Before a run starts (or a queued one is dispatched): refused, naming the exhausted budget. */
export function* assertBudgetLeft(store: Store, agent: AgentConfiguration, now: number): Plan<void> {
  const breach = yield* monthlyBreachOf(store, agent, now);
  if (breach) throw budgetExhausted(breach);
}

/** The budget a refusal names, with its figures in dollars (as a 409 of `POST /api/executions` does). */
export function breachFigures({ budget, limitMicros, spentMicros }: BudgetBreach) {
  return { budget, limitUsd: microsToUsd(limitMicros), spentUsd: microsToUsd(spentMicros) };
}

/**
 * The SDK's own `maxBudgetUsd`, a second line behind our live check: the smaller of the per-run
 * cap and what is left of each monthly budget. Undefined when no budget applies.
 */
export function* sdkBudgetUsd(
  store: Store,
  agent: AgentConfiguration,
  now: number,
  workflowCapMicros: number | null = null,
): Plan<number | undefined> {
  const left = (yield* monthlyLimitsOf(store, agent, now)).map(
    (limit) => limit.limitMicros - limit.spentMicros,
  );
  if (agent.maxCostPerRunMicros !== null) left.push(agent.maxCostPerRunMicros);
  if (workflowCapMicros !== null) left.push(workflowCapMicros);
  if (left.length === 0) return undefined;
  return microsToUsd(Math.max(0, Math.min(...left)));
}
