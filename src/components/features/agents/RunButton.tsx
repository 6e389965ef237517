'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { executionSummaryResponseSchema } from '@/lib/contracts/executions';
import { apiFetch, errorMessage } from '@/lib/http/client';

/** Starts a run of the agent with its default prompt and opens the run's page. */
export function RunButton({ agentId, agentName }: { agentId: number; agentName: string }) {
  const router = useRouter();
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setStarting(true);
    setError(null);
    try {
      const { execution } = await apiFetch('/api/executions', {
        method: 'POST',
        body: { agentId },
        schema: executionSummaryResponseSchema,
      });
      router.push(`/executions/${execution.id}`);
    } catch (caught) {
      setError(errorMessage(caught));
      setStarting(false);
    }
  };

  return (
    <span className="run-button">
      <button
        type="button"
        className="button button-primary"
        onClick={run}
        disabled={starting}
        aria-label={`Run ${agentName}`}
        data-testid="run-agent"
      >
        {starting ? 'Starting…' : 'Run'}
      </button>
      {error ? (
        <span className="field-error" role="alert" data-testid="run-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}
