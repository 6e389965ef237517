import type { ComponentProps } from 'react';
import { APPROVAL_TIMEOUT_BOUNDS } from '@/lib/contracts/agents';

/** Minutes a tool call may wait for an answer, within the bounds the API accepts. */
export function ApprovalTimeoutInput(props: ComponentProps<'input'>) {
  return (
    <input
      type="number"
      inputMode="numeric"
      min={APPROVAL_TIMEOUT_BOUNDS.min}
      max={APPROVAL_TIMEOUT_BOUNDS.max}
      step={1}
      {...props}
    />
  );
}
