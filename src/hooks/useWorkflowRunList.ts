'use client';

import { useState } from 'react';
import type { WorkflowRunSummaryDto } from '@/lib/contracts/workflows';
import { mergeRunSummary, summaryOf } from '@/lib/presentation/workflowRuns';
import { useSubscription } from './useWebSocket';

/** The recent workflow runs, newest first (optionally one workflow's), kept live by the `workflowRuns` topic. */
export function useWorkflowRunList(
  initial: WorkflowRunSummaryDto[],
  { limit, workflowId }: { limit: number; workflowId?: number },
): WorkflowRunSummaryDto[] {
  const [items, setItems] = useState(initial);
  useSubscription({ topic: 'workflowRuns' }, (frame) => {
    const runs =
      frame.type === 'workflowRun.updated'
        ? [frame.run]
        : frame.type === 'subscribed' && frame.topic === 'workflowRuns'
          ? frame.runs
          : [];
    const wanted = runs.filter((run) => workflowId === undefined || run.workflowId === workflowId);
    if (wanted.length === 0) return;
    setItems((current) =>
      wanted.map(summaryOf).reduce((items, run) => mergeRunSummary(items, run, limit), current),
    );
  });
  return items;
}
