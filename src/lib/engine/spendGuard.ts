import { LiveCost, mergeCostRecords } from '../claude/costTracker';
import type { ModelTokenUsage } from '../claude/usage';
import type { ModelCostRecord } from '../contracts/costs';
import type { DbConnection } from '../db';
import { transactionOnSqlite } from '../db/plan';
import { type PreviousCosts, recordExecutionCosts } from '../db/queries/costs';
import type { AgentConfiguration } from '../db/schema';
import { type BudgetBreach, runBudgetBreach } from './budgets';

export interface GuardedRun {
  executionId: number;
  agent: AgentConfiguration;
  createdAt: number;
  /** A workflow step's share of its workflow's budget; null otherwise. */
  workflowCapMicros: number | null;
  /** What the run's earlier processes spent (a parked run woken again); none for a new run. */
  prior?: readonly ModelCostRecord[];
}

/**
 * Live budgets for one run: each usage event reprices only the response it changed, writes the
 * run's spend (the summaries move by the difference from the last write, kept here rather than
 * read back) and says whether a budget is now reached, so the run can be stopped at once.
 */
export class SpendGuard {
  readonly cost: LiveCost;
  private readonly prior: readonly ModelCostRecord[];
  private readonly priorMicros: number;
  private written: PreviousCosts;

  constructor(
    private readonly db: DbConnection,
    private readonly run: GuardedRun,
  ) {
    this.cost = new LiveCost(run.createdAt);
    this.prior = run.prior ?? [];
    this.priorMicros = this.prior.reduce((sum, row) => sum + row.costMicros, 0);
    this.written = byModel(this.prior);
  }

  /** A response's figures changed: record them, store the spend, and check every budget. */
  observe(responseId: string, usage: ModelTokenUsage, now: number): BudgetBreach | null {
    this.cost.update(responseId, usage);
    const rows = this.records();
    const execution = { id: this.run.executionId, agentId: this.run.agent.id, createdAt: this.run.createdAt };
    transactionOnSqlite(this.db, (tx) => recordExecutionCosts(tx, execution, rows, this.written));
    this.written = byModel(rows);
    return runBudgetBreach(this.db, this.run.agent, this.totalMicros, now, this.run.workflowCapMicros);
  }

  /** The run's spend per model: its earlier processes' and this one's. */
  records(): ModelCostRecord[] {
    return mergeCostRecords(this.prior, this.cost.records());
  }

  get totalMicros(): number {
    return this.priorMicros + this.cost.totalMicros;
  }

  /** What an earlier process already stored, to add this one's final figures to. */
  get priorRecords(): readonly ModelCostRecord[] {
    return this.prior;
  }

  /** What the live writes last stored per model, for the final write's difference. */
  get lastWritten(): PreviousCosts {
    return this.written;
  }
}

export function byModel(rows: readonly ModelCostRecord[]): PreviousCosts {
  return new Map(rows.map((row) => [row.model, row]));
}
