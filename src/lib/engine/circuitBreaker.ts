import type { CircuitBreakerDto, CircuitState } from '../contracts/system';

export interface CircuitBreakerPolicy {
  /** Consecutive transient failures that open the circuit. */
  threshold(): number;
  cooldownMs(): number;
}

/** How a finished attempt counts: a transient failure, a run that reached the API fine, or neither (cancelled). */
export type AttemptVerdict =
  | { kind: 'transient'; failureClass: string }
  | { kind: 'healthy' }
  | { kind: 'neutral' };

/**
 * Closed: runs start freely. After `threshold` transient failures in a row it opens and no run
 * starts; after the cool-down it half-opens and lets exactly one trial run start. A healthy trial
 * closes it, a transient failure opens it again for another cool-down. State is in memory: a
 * restart closes it, which is the right default after an operator intervened.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private lastFailure: string | null = null;
  private trialInFlight = false;

  constructor(
    private readonly policy: CircuitBreakerPolicy,
    private readonly onChange: (snapshot: CircuitBreakerDto) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when a run may start now. Moves an open circuit whose cool-down has passed to half-open. */
  allowsStart(): boolean {
    if (this.state === 'open' && this.now() >= this.halfOpensAt()) this.transition('half_open');
    if (this.state === 'closed') return true;
    return this.state === 'half_open' && !this.trialInFlight;
  }

  /** Call when a run actually starts; in half-open it becomes the one trial. */
  started(): void {
    if (this.state === 'half_open') this.trialInFlight = true;
  }

  record(verdict: AttemptVerdict): void {
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (verdict.kind === 'neutral') {
      // A cancelled trial proved nothing: let the next run be the trial.
      if (wasTrial) this.changed();
      return;
    }
    if (verdict.kind === 'healthy') {
      this.consecutiveFailures = 0;
      if (this.state !== 'closed') this.transition('closed');
      return;
    }
    this.consecutiveFailures += 1;
    this.lastFailure = verdict.failureClass;
    if (this.state === 'half_open' || this.consecutiveFailures >= this.policy.threshold()) {
      this.openedAt = this.now();
      this.transition('open');
    } else this.changed();
  }

  /** Milliseconds until an open circuit half-opens; 0 when it is not open. */
  msUntilHalfOpen(): number {
    return this.state === 'open' ? Math.max(0, this.halfOpensAt() - this.now()) : 0;
  }

  snapshot(): CircuitBreakerDto {
    return {
      state: this.state,
      consecutiveFailures: this.consecutiveFailures,
      threshold: this.policy.threshold(),
      cooldownSeconds: Math.round(this.policy.cooldownMs() / 1000),
      openedAt: this.openedAt,
      halfOpensAt: this.state === 'open' ? this.halfOpensAt() : null,
      lastFailure: this.lastFailure,
    };
  }

  private halfOpensAt(): number {
    return (this.openedAt ?? 0) + this.policy.cooldownMs();
  }

  private transition(state: CircuitState): void {
    this.state = state;
    this.changed();
  }

  private changed(): void {
    this.onChange(this.snapshot());
  }
}
