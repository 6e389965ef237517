'use client';

import { useState } from 'react';
import type { WorkflowRunSummaryDto } from '@/lib/contracts/workflows';
import { mergeRunSummary, summaryOf } from '@/lib/views/workflowRuns';
import { useSubscription } from './useWebSocket';

/** The recent workflow runs, newest first (optionally one workflow's), kept live by the `workflowRuns` topic. */
export function useWorkflowRunList(
  initial: WorkflowRunSummaryDto[],
  { limit, workflowId }: { limit: number; workflowId?: number },
): WorkflowRunSummaryDto[] {
  const [items, setItems] = useState(initial);
  useSubscription({ topic: 'workflowRuns' }, (frame) => {
    if (frame.type !== 'workflowRun.updated') return;
    if (workflowId !== undefined && frame.run.workflowId !== workflowId) return;
    const run = summaryOf(frame.run);
    setItems((current) => mergeRunSummary(current, run, limit));
  });
  return items;
}
