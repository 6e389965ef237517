'use client';

import { useState } from 'react';
import type { ApprovalDto } from '@/lib/contracts/approvals';
import { type ApprovalsState, applyApprovalFrame, initApprovals } from '@/lib/presentation/approvals';
import { useSubscription } from './useWebSocket';

/** Approvals live from the `approvals` topic, starting from what the page was rendered with. */
export function useApprovals(initial: readonly ApprovalDto[] = []): ApprovalsState {
  const [state, setState] = useState(() => initApprovals(initial));
  useSubscription({ topic: 'approvals' }, (frame) =>
    setState((current) => applyApprovalFrame(current, frame)),
  );
  return state;
}
