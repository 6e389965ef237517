'use client';

import { useState } from 'react';
import { type ExecutionSummary, executionSummaryResponseSchema } from '@/lib/contracts/executions';
import { apiFetch, errorMessage } from '@/lib/http/client';

/** Starts a run of an agent (POST /api/executions); `start` resolves to the run, or null when refused. */
export function useStartRun(agentId: number) {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async (): Promise<ExecutionSummary | null> => {
    setStarting(true);
    setError(null);
    try {
      const { execution } = await apiFetch('/api/executions', {
        method: 'POST',
        body: { agentId },
        schema: executionSummaryResponseSchema,
      });
      return execution;
    } catch (caught) {
      setError(errorMessage(caught));
      return null;
    } finally {
      setStarting(false);
    }
  };
  return { start, starting, error };
}
