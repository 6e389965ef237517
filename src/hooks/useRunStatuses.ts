'use client';

import { useState } from 'react';
import type { ExecutionStatus } from '@/lib/contracts/executions';
import { useSubscription } from './useWebSocket';

/**
 * The current status of the runs a schedule started, by execution id: server-rendered first, then
 * every `execution.updated` frame of a run with this schedule's id (new runs included).
 */
export function useRunStatuses(
  scheduleId: number,
  initial: Record<number, ExecutionStatus>,
): Record<number, ExecutionStatus> {
  const [statuses, setStatuses] = useState(initial);
  useSubscription({ topic: 'executions' }, (frame) => {
    if (frame.type === 'subscribed' && frame.topic === 'executions') {
      const ours = frame.items.filter((item) => item.scheduleId === scheduleId);
      if (ours.length > 0)
        setStatuses((current) => ({ ...current, ...Object.fromEntries(ours.map((i) => [i.id, i.status])) }));
    } else if (frame.type === 'execution.updated' && frame.execution.scheduleId === scheduleId) {
      const { id, status } = frame.execution;
      setStatuses((current) => (current[id] === status ? current : { ...current, [id]: status }));
    }
  });
  return statuses;
}
