import { z } from 'zod';
import { BUDGET_KINDS } from '../contracts/costs';
import type { ExecutionLive, LogLineDto, StepDto } from '../contracts/executions';
import type { CircuitBreakerDto } from '../contracts/system';
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
  | { type: 'circuit.changed'; circuit: CircuitBreakerDto };

export type EngineEventType = EngineEvent['type'];

/** The budget that stopped a run (or refused it when its turn came), as its limit and the spend counted. */
export const budgetStopSchema = z.object({
  budget: z.enum(BUDGET_KINDS),
  limitUsd: z.number(),
  spentUsd: z.number(),
});
export type BudgetStop = z.infer<typeof budgetStopSchema>;

/** A run's ending as it is being committed, for writes that must share its transaction. */
export interface RunEndingCommit {
  execution: ExecutionLive;
  /** Set when it ended `budget_exceeded` because ClaudeOps' own check stopped or refused it. */
  budget: BudgetStop | undefined;
}

type Listener = (event: EngineEvent) => void;

export class EngineEvents {
  private readonly listeners = new Set<Listener>();
  private readonly endingWriters = new Set<(ending: RunEndingCommit) => void>();

  /** Returns the unsubscribe function. A throwing listener is the listener's bug: it is isolated. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called inside the transaction that ends a run (synchronous, database writes only), so what it
   * writes (an outbox row) commits or rolls back with the ending itself.
   */
  onEndingInTransaction(writer: (ending: RunEndingCommit) => void): () => void {
    this.endingWriters.add(writer);
    return () => this.endingWriters.delete(writer);
  }

  emit(event: EngineEvent, onListenerError: (error: unknown) => void): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        onListenerError(error);
      }
    }
  }

  writeEnding(ending: RunEndingCommit): void {
    for (const writer of this.endingWriters) writer(ending);
  }
}
