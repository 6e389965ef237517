import type { ExecutionStatus } from '@/lib/contracts/executions';

/** What a badge can show: a stored status, or `cancelling` between the click and the server's answer. */
export type DisplayStatus = ExecutionStatus | 'cancelling';

const LABELS: Record<DisplayStatus, string> = {
  cancelling: 'cancelling…',
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timeout: 'timed out',
  budget_exceeded: 'over budget',
  interrupted: 'interrupted',
};

const TONES: Record<DisplayStatus, 'active' | 'ok' | 'bad' | 'muted'> = {
  cancelling: 'muted',
  queued: 'muted',
  running: 'active',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'muted',
  timeout: 'bad',
  budget_exceeded: 'bad',
  interrupted: 'bad',
};

export function StatusBadge({ status, testId = 'status-badge' }: { status: DisplayStatus; testId?: string }) {
  return (
    <span className={`badge badge-${TONES[status]}`} data-testid={testId} data-status={status}>
      {LABELS[status]}
    </span>
  );
}
