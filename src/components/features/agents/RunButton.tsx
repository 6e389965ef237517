'use client';

import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { useStartRun } from '@/hooks/useStartRun';

/** Starts a run of the agent with its default prompt and opens the run's page. */
export function RunButton({ agentId, agentName }: { agentId: number; agentName: string }) {
  const router = useRouter();
  const { start, starting, error } = useStartRun(agentId);
  const run = async () => {
    const execution = await start();
    if (execution) router.push(`/executions/${execution.id}`);
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
