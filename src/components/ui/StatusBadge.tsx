import type { ExecutionStatus } from '@/lib/contracts/executions';

const LABELS: Record<ExecutionStatus, string> = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timeout: 'timed out',
  budget_exceeded: 'over budget',
  interrupted: 'interrupted',
};

const TONES: Record<ExecutionStatus, 'active' | 'ok' | 'bad' | 'muted'> = {
  queued: 'muted',
  running: 'active',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'muted',
  timeout: 'bad',
  budget_exceeded: 'bad',
  interrupted: 'bad',
};

export function StatusBadge({
  status,
  testId = 'status-badge',
}: {
  status: ExecutionStatus;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${TONES[status]}`} data-testid={testId} data-status={status}>
      {LABELS[status]}
    </span>
  );
}
