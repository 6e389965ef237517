import { hasLabels, labelWaitReason } from '../contracts/workers';

/** Why every queued run waits while the server drains before it stops. */
export const DRAINING_WAIT_REASON = 'the server is stopping: this run starts on the next start';

/** A run as admission sees it: which agent, that agent's own limit, and the labels it requires. */
export interface Admittable {
  executionId: number;
  agentId: number;
  /** Runs of this agent allowed at once. */
  agentLimit: number;
  /** Labels the worker must carry to start it. */
  requiredLabels: readonly string[];
}

/** The circuit breaker, as far as starting runs goes. */
export interface StartGate {
  allowsStart(): boolean;
  /** A run started; in half-open it becomes the one trial. */
  started(): void;
  msUntilHalfOpen(): number;
}

export interface AdmissionOptions {
  /** The labels of the worker that starts these runs (WORKER_LABELS). */
  labels: readonly string[];
  /** Runs under way at once across all agents (a setting, read on every pump). */
  globalLimit(): number;
  gate: StartGate;
  /** Called when the gate may let runs start again (an open breaker half-opens). */
  wake(): void;
}

/**
 * The one place that decides when a run starts: a FIFO queue (by execution id, so a retried run
 * keeps its place), a global and a per-agent limit, the worker's labels, and the breaker's gate.
 * Work-conserving: an agent at its limit, or a run needing labels this worker lacks, does not hold
 * up the runs of others behind it.
 */
export class Admission<T extends Admittable> {
  private readonly waiting: T[] = [];
  private readonly running = new Map<number, T>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(private readonly options: AdmissionOptions) {}

  enqueue(item: T): void {
    const behind = this.waiting.findIndex((waiting) => waiting.executionId > item.executionId);
    this.waiting.splice(behind === -1 ? this.waiting.length : behind, 0, item);
  }

  /** Takes a run out of the queue (cancelled while waiting); false if it was not waiting. */
  withdraw(executionId: number): boolean {
    const index = this.waiting.findIndex((item) => item.executionId === executionId);
    if (index === -1) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  /** A started run ended, or gave its slot up while a person is asked: its slot is free. */
  release(executionId: number): void {
    this.running.delete(executionId);
  }

  /**
   * A run that gave its slot up takes one again, if the limits allow now (the breaker aside: it is
   * not a new start). A free slot means nobody waits who could use it: `pump` would have started them.
   */
  claim(item: T): boolean {
    if (this.running.has(item.executionId)) return true;
    if (this.running.size >= this.options.globalLimit()) return false;
    if (this.runningCount(item.agentId) >= item.agentLimit) return false;
    this.running.set(item.executionId, item);
    return true;
  }

  /** 1-based place in the queue, or null when not waiting. */
  position(executionId: number): number | null {
    const index = this.waiting.findIndex((item) => item.executionId === executionId);
    return index === -1 ? null : index + 1;
  }

  /** Why a waiting run is held besides its place in the queue (labels it needs, a drain), or null. */
  waitReason(executionId: number): string | null {
    const item = this.waiting.find((waiting) => waiting.executionId === executionId);
    return item ? this.holdReason(item) : null;
  }

  /** What holds a run back on this worker (its labels, a drain), waiting or not: null when it may start here. */
  holdReason(item: T): string | null {
    return (
      labelWaitReason(item.requiredLabels, this.options.labels) ??
      (this.draining ? DRAINING_WAIT_REASON : null)
    );
  }

  /** Starts no queued run any more (the server drains before it stops); runs may still be queued. */
  drain(): void {
    this.draining = true;
  }

  /** Whether a run claimed now would start at once: nothing waits here, a slot is free, the gate is open, no drain. */
  hasRoom(): boolean {
    return (
      !this.draining &&
      this.waiting.length === 0 &&
      this.running.size < this.options.globalLimit() &&
      this.options.gate.allowsStart()
    );
  }

  get waitingRuns(): readonly T[] {
    return this.waiting;
  }

  runningCount(agentId?: number): number {
    if (agentId === undefined) return this.running.size;
    let count = 0;
    for (const item of this.running.values()) if (item.agentId === agentId) count += 1;
    return count;
  }

  /**
   * Offers waiting runs to `start`, oldest first, while the limits and the gate allow. `start`
   * returns false when it ended the run instead (a budget ran out while it waited); such a run
   * takes no slot. Returns true when any run left the queue (the others moved up).
   */
  pump(start: (item: T) => boolean): boolean {
    if (this.draining) return false;
    let moved = false;
    for (let i = 0; i < this.waiting.length && this.running.size < this.options.globalLimit(); ) {
      if (!this.options.gate.allowsStart()) {
        this.wakeWhenGateOpens();
        break;
      }
      const item = this.waiting[i];
      if (!item || !this.mayStart(item)) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      moved = true;
      if (!start(item)) continue;
      this.running.set(item.executionId, item);
      this.options.gate.started();
    }
    return moved;
  }

  private mayStart(item: T): boolean {
    return (
      this.runningCount(item.agentId) < item.agentLimit && hasLabels(this.options.labels, item.requiredLabels)
    );
  }

  stop(): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
  }

  private wakeWhenGateOpens(): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.options.wake();
    }, this.options.gate.msUntilHalfOpen() + 10);
    this.wakeTimer.unref();
  }
}
