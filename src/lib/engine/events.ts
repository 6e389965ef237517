import type { ApprovalCounts, ApprovalDto } from '../contracts/approvals';
import type { BudgetKind } from '../contracts/costs';
import type { ExecutionLive, LogLineDto, StepDto } from '../contracts/executions';
import type { CircuitBreakerDto } from '../contracts/system';
import { EventBus } from '../core/eventBus';
import type { Plan } from '../db/plan';
import type { AgentConfiguration } from '../db/schema';
import type { Store } from '../db/store';
import type { RunEnding } from './runState';

/**
 * Everything the engine tells the rest of the server, after it is committed. Consumers (the
 * WebSocket broadcaster, the SSE stream, the scheduler, workflows, notifications) subscribe here
 * and never reach into the engine. Each run event carries the run's whole live view, so a consumer
 * never has to read back what the engine just wrote.
 */
export type EngineEvent =
  | { type: 'run.queued'; execution: ExecutionLive }
  | { type: 'run.started'; execution: ExecutionLive }
  /** A committed batch of steps and log lines; `seq` is the highest it holds. */
  | { type: 'run.output'; executionId: number; seq: number; steps: StepDto[]; logs: LogLineDto[] }
  /** Spend or token counts moved (usage), or the queue moved: the live view changed. */
  | { type: 'run.updated'; execution: ExecutionLive }
  /** An attempt failed and another is due at `retryAt` (null when it was the last). */
  | {
      type: 'attempt.ended';
      execution: ExecutionLive;
      attempt: number;
      ending: RunEnding;
      retryAt: number | null;
    }
  | { type: 'run.ended'; execution: ExecutionLive }
  | { type: 'circuit.changed'; circuit: CircuitBreakerDto }
  /** An approval was asked for, answered, expired or dropped; with the inbox's counts after it. */
  | { type: 'approval.updated'; approval: ApprovalDto; counts: ApprovalCounts };

export type EngineEventType = EngineEvent['type'];

/** The budget that stopped a run (or refused it when its turn came), as its limit and the spend counted. */
export interface BudgetStop {
  budget: BudgetKind;
  limitUsd: number;
  spentUsd: number;
}

/** A run's ending as it is being committed, for writes that must share its transaction. */
export interface RunEndingCommit {
  execution: ExecutionLive;
  agent: AgentConfiguration;
  /** Set when it ended `budget_exceeded` because ClaudeOps' own check stopped or refused it. */
  budget: BudgetStop | undefined;
  /** The time limit it ran under (the agent's, or a workflow step's own). */
  timeoutSeconds: number;
}

/** An approval asked for or expired, as it is being committed (a notification joins the transaction). */
export interface ApprovalCommit {
  change: 'requested' | 'expired';
  approval: ApprovalDto;
}

/** Writes that join another's transaction, as a plan on that transaction `tx` (database writes only). */
export type InTransaction<Commit> = (tx: Store, commit: Commit) => Plan<unknown>;

/** The engine's bus, plus the writers that join a run's final transaction and an approval's. */
export class EngineEvents extends EventBus<EngineEvent> {
  private readonly endingWriters = new Set<InTransaction<RunEndingCommit>>();
  private readonly approvalWriters = new Set<InTransaction<ApprovalCommit>>();

  /**
   * Run inside the transaction that ends a run, so what it writes (an outbox row) commits or rolls
   * back with the ending itself.
   */
  onEndingInTransaction(writer: InTransaction<RunEndingCommit>): () => void {
    this.endingWriters.add(writer);
    return () => this.endingWriters.delete(writer);
  }

  *writeEnding(tx: Store, ending: RunEndingCommit): Plan<void> {
    for (const writer of this.endingWriters) yield* writer(tx, ending);
  }

  /** Run inside the transaction that records an approval request or its expiry. */
  onApprovalInTransaction(writer: InTransaction<ApprovalCommit>): () => void {
    this.approvalWriters.add(writer);
    return () => this.approvalWriters.delete(writer);
  }

  *writeApproval(tx: Store, commit: ApprovalCommit): Plan<void> {
    for (const writer of this.approvalWriters) yield* writer(tx, commit);
  }
}
