'use client';

import { useRouter } from 'next/navigation';
import { type ExecutionSummary, executionSummaryResponseSchema } from '@/lib/contracts/executions';
import { apiFetch } from '@/lib/http/client';
import { useApiAction } from './useApiAction';

/**
 * Starts a run through one of the API's POSTs that answer `{execution}` and opens its page, or
 * with `stay` stays where it is; `start` resolves to the run, or null when it was refused.
 */
export function useStartRun({ stay = false }: { stay?: boolean } = {}) {
  const router = useRouter();
  const { pending, error, run } = useApiAction();
  const start = async (path: string, body: unknown): Promise<ExecutionSummary | null> => {
    let started: ExecutionSummary | null = null;
    await run(async () => {
      const { execution } = await apiFetch(path, {
        method: 'POST',
        body,
        schema: executionSummaryResponseSchema,
      });
      started = execution;
      if (!stay) router.push(`/executions/${execution.id}`);
    });
    return started;
  };
  return { pending, error, start };
}
