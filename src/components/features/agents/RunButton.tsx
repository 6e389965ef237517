'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
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
    <>
      <Button
        variant="primary"
        onClick={run}
        disabled={starting}
        aria-label={`Run ${agentName}`}
        data-testid="run-agent"
      >
        {starting ? 'Starting…' : 'Run'}
      </Button>
      <ActionError error={error} testId="run-error" />
    </>
  );
}
