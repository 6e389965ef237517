'use client';

import { StopButton } from '@/components/ui/StopButton';

/** Stops a queued or running execution; the caller shows `cancelling` until the server says it ended. */
export function CancelRunButton({
  executionId,
  onRequested,
}: {
  executionId: number;
  /** true when the request goes out, false if the server refused it. */
  onRequested(requested: boolean): void;
}) {
  return (
    <StopButton
      path={`/api/executions/${executionId}/cancel`}
      label="Cancel run"
      testId="cancel-run"
      onRequested={onRequested}
    />
  );
}
