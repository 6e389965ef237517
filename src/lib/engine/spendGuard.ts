import { LiveCost, mergeCostRecords } from '../claude/costTracker';
import type { ModelTokenUsage } from '../claude/usage';
import type { ModelCostRecord } from '../contracts/costs';
import { type PreviousCosts, recordExecutionCosts } from '../db/queries/costs';
import type { AgentConfiguration } from '../db/schema';
import { type BudgetBreach, runBudgetBreach } from './budgets';
import type { Ledger } from './ledger';

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
 * read back) and says, in the same transaction, whether a budget is now reached, so the run can
 * be stopped at once.
 */
export class SpendGuard {
  readonly cost: LiveCost;
  private readonly prior: readonly ModelCostRecord[];
  private readonly priorMicros: number;
  private written: PreviousCosts;

  constructor(
    private readonly ledger: Ledger,
    private readonly run: GuardedRun,
  ) {
    this.cost = new LiveCost(run.createdAt);
    this.prior = run.prior ?? [];
    this.priorMicros = this.prior.reduce((sum, row) => sum + row.costMicros, 0);
    this.written = byModel(this.prior);
  }

  /**
   * A response's figures changed: record them, store the spend, and check every budget. The write
   * is handed in at once (on SQLite it has committed when this returns); the promise is its check.
   */
  observe(responseId: string, usage: ModelTokenUsage, now: number): Promise<BudgetBreach | null> {
    this.cost.update(responseId, usage);
    const rows = this.records();
    const { run } = this;
    const execution = { id: run.executionId, agentId: run.agent.id, createdAt: run.createdAt };
    const previous = this.written;
    const spent = this.totalMicros;
    this.written = byModel(rows);
    return this.ledger.write(function* (tx) {
      yield* recordExecutionCosts(tx, execution, rows, previous);
      return yield* runBudgetBreach(tx, run.agent, spent, now, run.workflowCapMicros);
    });
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
