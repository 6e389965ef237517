import Link from 'next/link';
import type { ExecutionSummary } from '@/lib/contracts/executions';

type TriggerFields = Pick<
  ExecutionSummary,
  'trigger' | 'scheduleId' | 'workflowRunId' | 'workflowStepKey' | 'triggerName'
>;

/** How a run started without a schedule or workflow behind it. */
const PLAIN_TRIGGERS = { manual: 'manual', api: 'API', schedule: 'schedule', workflow: 'workflow' } as const;

/** What started a run, by name and linked to it: a schedule, a workflow run's step, or who pressed Run. */
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
  return <>{PLAIN_TRIGGERS[execution.trigger]}</>;
}
