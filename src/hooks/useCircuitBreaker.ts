'use client';

import { useState } from 'react';
import type { CircuitBreakerDto } from '@/lib/contracts/system';
import { useSubscription } from './useWebSocket';

/** The circuit breaker's state: server-rendered first, then live from the `executions` topic. */
export function useCircuitBreaker(initial: CircuitBreakerDto | null): CircuitBreakerDto | null {
  const [circuit, setCircuit] = useState(initial);
  useSubscription({ topic: 'executions' }, (frame) => {
    if (frame.type === 'circuit.updated') setCircuit(frame.circuit);
  });
  return circuit;
}
