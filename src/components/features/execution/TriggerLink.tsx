import Link from 'next/link';
import type { ExecutionSummary } from '@/lib/contracts/executions';

type TriggerFields = Pick<
  ExecutionSummary,
  'trigger' | 'scheduleId' | 'workflowRunId' | 'workflowStepKey' | 'triggerName' | 'parentExecutionId'
>;

/** How a run started without a schedule, a workflow or an earlier run behind it. */
const PLAIN_TRIGGERS = {
  manual: 'manual',
  api: 'API',
  schedule: 'schedule',
  workflow: 'workflow',
  continue: 'continue',
} as const;

/**
 * What started a run, by name and linked to it: a schedule, a workflow run's step, the run it
 * continues, or who pressed Run.
 */
export function TriggerLink({ execution }: { execution: TriggerFields }) {
  if (execution.trigger === 'schedule' && execution.scheduleId !== null) {
    return (
      <Link href={`/schedules/${execution.scheduleId}`}>
        {execution.triggerName ?? `schedule #${execution.scheduleId}`}
      </Link>
    );
  }
  if (execution.trigger === 'workflow' && execution.workflowRunId !== null) {
    return (
      <Link href={`/workflow-runs/${execution.workflowRunId}`}>
        {execution.triggerName ?? `workflow run #${execution.workflowRunId}`} ·{' '}
        {execution.workflowStepKey ?? 'step'}
      </Link>
    );
  }
  if (execution.trigger === 'continue' && execution.parentExecutionId !== null) {
    return (
      <Link href={`/executions/${execution.parentExecutionId}`}>
        continue of run #{execution.parentExecutionId}
      </Link>
    );
  }
  return <>{PLAIN_TRIGGERS[execution.trigger]}</>;
}
