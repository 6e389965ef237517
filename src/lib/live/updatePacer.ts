import type { ExecutionLive, ExecutionStatus } from '../contracts/executions';

/** A running run's figures go to the tabs at most this often; a change of status always goes at once. */
export const RUNNING_UPDATE_INTERVAL_MS = 500;

interface Paced {
  status: ExecutionStatus;
  lastSentAt: number;
  /** The newest view not sent yet, and the timer that sends it. */
  next: ExecutionLive | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface PacerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): NodeJS.Timeout;
}

const systemClock: PacerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
};

/**
 * Paces what is sent of a run's view while it runs: its `execution.updated` frames to the tabs,
 * and a workflow step's spend announced to the other processes. While a run runs, its view changes
 * on every usage event (tokens and cost at a response's start and end: two per model turn, per
 * run), and each change was a frame of the whole view to every subscriber, which each tab then
 * parsed and rendered between the log lines. Now the first change after a quiet interval goes at
 * once, the rest at most every `intervalMs`, the newest view each time; a change of status
 * (queued, running, ended) goes at once and drops the older one waiting.
 */
export class UpdatePacer {
  private readonly runs = new Map<number, Paced>();

  constructor(
    private readonly send: (execution: ExecutionLive) => void,
    private readonly intervalMs: number,
    private readonly clock: PacerClock = systemClock,
  ) {}

  update(execution: ExecutionLive): void {
    const paced = this.runs.get(execution.id);
    const now = this.clock.now();
    if (!paced || paced.status !== execution.status || execution.status !== 'running') {
      if (paced) clearTimeout(paced.timer);
      this.sendNow(execution, now);
      return;
    }
    const wait = paced.lastSentAt + this.intervalMs - now;
    if (wait <= 0 && paced.timer === undefined) {
      this.sendNow(execution, now);
      return;
    }
    paced.next = execution;
    paced.timer ??= this.clock.setTimeout(() => this.sendWaiting(execution.id), Math.max(0, wait));
  }

  /** Stops every timer; what waits is dropped (the server is closing). */
  close(): void {
    for (const paced of this.runs.values()) clearTimeout(paced.timer);
    this.runs.clear();
  }

  private sendNow(execution: ExecutionLive, now: number): void {
    // An ended run's next update (if any) is a fresh start: nothing to remember it by.
    if (execution.status === 'queued' || execution.status === 'running') {
      this.runs.set(execution.id, {
        status: execution.status,
        lastSentAt: now,
        next: undefined,
        timer: undefined,
      });
    } else this.runs.delete(execution.id);
    this.send(execution);
  }

  private sendWaiting(executionId: number): void {
    const paced = this.runs.get(executionId);
    if (!paced) return;
    paced.timer = undefined;
    const { next } = paced;
    paced.next = undefined;
    if (next) this.sendNow(next, this.clock.now());
  }
}
