import type { ExecutionSummary, LogLineDto, StepDto } from '../contracts/executions';
import type { CircuitBreakerDto } from '../contracts/system';

/** Committed events of one execution: published only after the transaction that stored them. */
export interface ExecutionEventsMessage {
  executionId: number;
  seq: number;
  steps: StepDto[];
  logs: LogLineDto[];
}

export interface ExecutionUpdatedMessage {
  executionId: number;
  seq: number;
  execution: ExecutionSummary;
}

export interface ExecutionEventListener {
  onEvents(message: ExecutionEventsMessage): void;
  onUpdated(message: ExecutionUpdatedMessage): void;
  onCircuit(snapshot: CircuitBreakerDto): void;
}

/** In-process pub/sub between the tracker (producer) and the WebSocket broadcaster (consumer). */
export class ExecutionEventBus {
  private readonly listeners = new Set<ExecutionEventListener>();

  /** Returns the unsubscribe function. */
  subscribe(listener: ExecutionEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publishEvents(message: ExecutionEventsMessage): void {
    for (const listener of this.listeners) listener.onEvents(message);
  }

  publishUpdated(message: ExecutionUpdatedMessage): void {
    for (const listener of this.listeners) listener.onUpdated(message);
  }

  publishCircuit(snapshot: CircuitBreakerDto): void {
    for (const listener of this.listeners) listener.onCircuit(snapshot);
  }
}
