import type { Db } from '../db';

/** Why a run may not start now, with the firing outcome that records it. */
export interface RunRefusal {
  outcome: 'refused_budget' | 'refused_breaker';
  /** In words, e.g. "The global monthly budget ($50.00) is exhausted: $50.02 spent in 2026-11". */
  reason: string;
}

export interface RunRequest {
  scheduleId: number;
  agentId: number;
  /** The schedule's prompt; null for the agent's default prompt. */
  prompt: string | null;
}

/**
 * The scheduler's port to the run engine, which implements it. A scheduled run is an ordinary run:
 * queued, limited and budgeted like any other.
 */
export interface RunLauncher {
  /** Why a run of this agent may not start now (a monthly budget spent, the circuit open), or null. No side effects. */
  refusal(agentId: number, now: number): RunRefusal | null;
  /**
   * Inserts the queued execution (trigger 'schedule', scheduleId set) through `tx`, inside the
   * scheduler's transaction; returns its id. Nothing starts until `admit` is called after the commit.
   */
  createRun(tx: Db, request: RunRequest, now: number): number;
  /** Hands a committed queued execution to the engine. */
  admit(executionId: number): void;
}
