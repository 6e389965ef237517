'use client';

import { useRouter } from 'next/navigation';
import { useRef } from 'react';
import { Empty } from '@/components/ui/Panel';
import { useExecutionList } from '@/hooks/useExecutionList';
import type { ExecutionSummary } from '@/lib/contracts/executions';
import { ExecutionsTable } from './ExecutionsTable';

/** Re-render the server parts (month-to-date spend) at most this often after runs end. */
const REFRESH_DEBOUNCE_MS = 500;

/** The live list of recent runs, optionally one agent's. */
export function RecentExecutions({
  initial,
  limit,
  agentId,
}: {
  initial: ExecutionSummary[];
  limit: number;
  agentId?: number;
}) {
  const router = useRouter();
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const executions = useExecutionList(initial, {
    limit,
    agentId,
    onFinished: () => {
      // A finished run moved the month's spend, which the server renders.
      clearTimeout(refreshTimer.current);
      refreshTimer.current = setTimeout(() => router.refresh(), REFRESH_DEBOUNCE_MS);
    },
  });

  if (executions.length === 0) return <Empty testId="empty-executions">No runs yet.</Empty>;
  return <ExecutionsTable executions={executions} showAgent={agentId === undefined} />;
}
