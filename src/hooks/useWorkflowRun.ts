'use client';

import { useState } from 'react';
import type { WorkflowRunDto } from '@/lib/contracts/workflows';
import { useSubscription } from './useWebSocket';

/** A workflow run with all its steps: server-rendered first, then each change from the `workflowRuns` topic. */
export function useWorkflowRun(initial: WorkflowRunDto): WorkflowRunDto {
  const [run, setRun] = useState(initial);
  useSubscription({ topic: 'workflowRuns' }, (frame) => {
    if (frame.type === 'workflowRun.updated' && frame.run.id === initial.id) setRun(frame.run);
    // A (re)subscription brings the run as it is now: what changed while the socket was away.
    if (frame.type === 'subscribed' && frame.topic === 'workflowRuns') {
      const now = frame.runs.find((run) => run.id === initial.id);
      if (now) setRun(now);
    }
  });
  return run;
}
