'use client';

import { Time } from '@/components/ui/Time';
import { useCircuitBreaker } from '@/hooks/useCircuitBreaker';
import type { CircuitBreakerDto } from '@/lib/contracts/system';
import styles from './Dashboard.module.css';

const LABELS = { closed: 'Closed', open: 'Open', half_open: 'Half-open' } as const;

const EXPLANATIONS = {
  closed: 'Runs start normally.',
  open: 'Too many transient API failures in a row: no run starts until the cool-down ends.',
  half_open: 'Cool-down over: one trial run may start; its outcome closes or reopens the circuit.',
} as const;

/** The runtime's circuit breaker, live: operators see at once why queued runs are not starting. */
export function CircuitBreakerStatus({ initial }: { initial: CircuitBreakerDto | null }) {
  const circuit = useCircuitBreaker(initial);
  if (!circuit) return null;
  return (
    <div
      className={`${styles.circuit} ${styles[`circuit-${circuit.state}`] ?? ''}`}
      data-testid="circuit-breaker"
      data-state={circuit.state}
    >
      <span className={styles.label}>Circuit breaker</span>
      <strong>{LABELS[circuit.state]}</strong>
      <span className="muted">
        {EXPLANATIONS[circuit.state]} {circuit.consecutiveFailures}/{circuit.threshold} transient failures
        {circuit.lastFailure ? ` (last: ${circuit.lastFailure})` : ''}.
        {circuit.halfOpensAt !== null && (
          <>
            {' '}
            Half-opens <Time epochMs={circuit.halfOpensAt} format="relative" />.
          </>
        )}
      </span>
    </div>
  );
}
