'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { useStartRun } from '@/hooks/useStartRun';

/**
 * Starts the System Health Reporter (POST /api/executions, as any agent's run) and stays on the
 * page: the report joins the list when the run ends; the run is linked meanwhile.
 */
export function HealthRunNow({ reporterId }: { reporterId: number }) {
  const { start, pending, error } = useStartRun({ stay: true });
  const [started, setStarted] = useState<number | null>(null);
  const run = async () => {
    const execution = await start('/api/executions', { agentId: reporterId });
    if (execution) setStarted(execution.id);
  };
  return (
    <>
      {started === null ? null : (
        <Link href={`/executions/${started}`} data-testid="health-run-started">
          Run #{started} started
        </Link>
      )}
      <Button variant="primary" onClick={run} disabled={pending} data-testid="health-run-now">
        {pending ? 'Starting…' : 'Run now'}
      </Button>
      <ActionError error={error} testId="health-run-error" />
    </>
  );
}
