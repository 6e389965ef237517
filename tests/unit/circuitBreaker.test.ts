import { describe, expect, it } from 'vitest';
import type { CircuitBreakerDto } from '../../src/lib/contracts/system';
import { CircuitBreaker } from '../../src/lib/engine/circuitBreaker';

function breakerAt(threshold = 3, cooldownMs = 10_000) {
  let now = 1_000_000;
  const changes: CircuitBreakerDto[] = [];
  const breaker = new CircuitBreaker(
    { threshold: () => threshold, cooldownMs: () => cooldownMs },
    (snapshot) => changes.push(snapshot),
    () => now,
  );
  return {
    breaker,
    changes,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const transient = { kind: 'transient', failureClass: 'overloaded' } as const;

describe('CircuitBreaker', () => {
  it('opens after `threshold` transient failures in a row, not before', () => {
    const { breaker } = breakerAt(3);
    breaker.record(transient);
    breaker.record(transient);
    expect(breaker.allowsStart()).toBe(true);
    breaker.record(transient);
    expect(breaker.allowsStart()).toBe(false);
    expect(breaker.snapshot()).toMatchObject({
      state: 'open',
      consecutiveFailures: 3,
      lastFailure: 'overloaded',
      openedAt: 1_000_000,
      halfOpensAt: 1_010_000,
    });
  });

  it('a healthy run in between resets the count; cancelled runs count for nothing', () => {
    const { breaker } = breakerAt(2);
    breaker.record(transient);
    breaker.record({ kind: 'healthy' });
    breaker.record(transient);
    breaker.record({ kind: 'neutral' });
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
  });

  it('half-opens after the cool-down and lets exactly one trial through', () => {
    const { breaker, advance } = breakerAt(1, 5_000);
    breaker.record(transient);
    advance(4_999);
    expect(breaker.allowsStart()).toBe(false);
    expect(breaker.msUntilHalfOpen()).toBe(1);
    advance(1);
    expect(breaker.allowsStart()).toBe(true);
    expect(breaker.snapshot().state).toBe('half_open');
    breaker.started();
    expect(breaker.allowsStart()).toBe(false);
  });

  it('a healthy trial closes it; a failed trial reopens it for another cool-down', () => {
    const { breaker, advance, changes } = breakerAt(1, 5_000);
    breaker.record(transient);
    advance(5_000);
    breaker.allowsStart();
    breaker.started();
    breaker.record(transient);
    expect(breaker.snapshot()).toMatchObject({ state: 'open', openedAt: 1_005_000 });
    advance(5_000);
    breaker.allowsStart();
    breaker.started();
    breaker.record({ kind: 'healthy' });
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(changes.map((c) => c.state)).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('a cancelled trial frees the slot for the next run', () => {
    const { breaker, advance } = breakerAt(1, 1_000);
    breaker.record(transient);
    advance(1_000);
    breaker.allowsStart();
    breaker.started();
    breaker.record({ kind: 'neutral' });
    expect(breaker.snapshot().state).toBe('half_open');
    expect(breaker.allowsStart()).toBe(true);
  });
});
