'use client';

import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { useStartRun } from '@/hooks/useStartRun';

/** Starts a run of the agent with its default prompt and opens the run's page. */
export function RunButton({ agentId, agentName }: { agentId: number; agentName: string }) {
  const { start, pending, error } = useStartRun();
  const run = () => start('/api/executions', { agentId });

  return (
    <>
      <Button
        variant="primary"
        onClick={run}
        disabled={pending}
        aria-label={`Run ${agentName}`}
        data-testid="run-agent"
      >
        {pending ? 'Starting…' : 'Run'}
      </Button>
      <ActionError error={error} testId="run-error" />
    </>
  );
}
