import { LiveCost } from '../claude/costTracker';
import type { ModelTokenUsage } from '../claude/usage';
import type { ModelCostRecord } from '../contracts/costs';
import type { DbConnection } from '../db';
import { type PreviousCosts, recordExecutionCosts } from '../db/queries/costs';
import type { AgentConfiguration } from '../db/schema';
import { type BudgetBreach, runBudgetBreach } from './budgets';

export interface GuardedRun {
  executionId: number;
  agent: AgentConfiguration;
  createdAt: number;
  /** A workflow step's share of its workflow's budget; null otherwise. */
  workflowCapMicros: number | null;
}

/**
 * Live budgets for one run: each usage event reprices only the response it changed, writes the
 * run's spend (the summaries move by the difference from the last write, kept here rather than
 * read back) and says whether a budget is now reached, so the run can be stopped at once.
 */
export class SpendGuard {
  readonly cost: LiveCost;
  private written: PreviousCosts = new Map();

  constructor(
    private readonly db: DbConnection,
    private readonly run: GuardedRun,
  ) {
    this.cost = new LiveCost(run.createdAt);
  }

  /** A response's figures changed: record them, store the spend, and check every budget. */
  observe(responseId: string, usage: ModelTokenUsage, now: number): BudgetBreach | null {
    this.cost.update(responseId, usage);
    const rows = this.cost.records();
    recordExecutionCosts(
      this.db,
      { id: this.run.executionId, agentId: this.run.agent.id, createdAt: this.run.createdAt },
      rows,
      this.written,
    );
    this.written = byModel(rows);
    return runBudgetBreach(this.db, this.run.agent, this.cost.totalMicros, now, this.run.workflowCapMicros);
  }

  /** What the live writes last stored per model, for the final write's difference. */
  get lastWritten(): PreviousCosts {
    return this.written;
  }
}

export function byModel(rows: readonly ModelCostRecord[]): PreviousCosts {
  return new Map(rows.map((row) => [row.model, row]));
}
