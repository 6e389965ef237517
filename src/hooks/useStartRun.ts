'use client';

import { useRouter } from 'next/navigation';
import { executionSummaryResponseSchema } from '@/lib/contracts/executions';
import { apiFetch } from '@/lib/http/client';
import { useApiAction } from './useApiAction';

/** Starts a run through one of the API's POSTs that answer `{execution}`, and opens its page. */
export function useStartRun() {
  const router = useRouter();
  const { pending, error, run } = useApiAction();
  const start = (path: string, body: unknown) =>
    run(async () => {
      const { execution } = await apiFetch(path, {
        method: 'POST',
        body,
        schema: executionSummaryResponseSchema,
      });
      router.push(`/executions/${execution.id}`);
    });
  return { pending, error, start };
}
