import type { ExecutionStatus } from '@/lib/contracts/executions';
import type { WorkflowStepStatus } from '@/lib/contracts/workflows';
import { Badge, type Tone } from './Badge';

/**
 * What a badge can show: a stored status (a run's, or a workflow step's, which adds `pending` and
 * `skipped`), or `cancelling` between the click and the server's answer.
 */
export type DisplayStatus = ExecutionStatus | WorkflowStepStatus | 'cancelling';

export const STATUS_LABELS: Record<DisplayStatus, string> = {
  cancelling: 'cancelling…',
  pending: 'pending',
  skipped: 'skipped',
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timeout: 'timed out',
  budget_exceeded: 'over budget',
  interrupted: 'interrupted',
  awaiting_approval: 'awaiting approval',
};

export const STATUS_TONES: Record<DisplayStatus, Tone> = {
  cancelling: 'neutral',
  pending: 'neutral',
  skipped: 'neutral',
  queued: 'neutral',
  running: 'active',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'neutral',
  timeout: 'bad',
  budget_exceeded: 'bad',
  interrupted: 'bad',
  awaiting_approval: 'active',
};

export function StatusBadge({ status, testId = 'status-badge' }: { status: DisplayStatus; testId?: string }) {
  return (
    <Badge tone={STATUS_TONES[status]} testId={testId} data={{ 'data-status': status }}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}
