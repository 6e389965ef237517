import Link from 'next/link';
import type { ExecutionSummary } from '@/lib/contracts/executions';

type TriggerFields = Pick<ExecutionSummary, 'trigger' | 'scheduleId' | 'workflowRunId' | 'workflowStepKey'>;

/** What started a run, linked to it: a schedule, a workflow run's step, or who pressed Run. */
export function TriggerLink({ execution }: { execution: TriggerFields }) {
  if (execution.trigger === 'schedule' && execution.scheduleId !== null) {
    return <Link href={`/schedules/${execution.scheduleId}`}>schedule #{execution.scheduleId}</Link>;
  }
  if (execution.trigger === 'workflow' && execution.workflowRunId !== null) {
    return (
      <Link href={`/workflow-runs/${execution.workflowRunId}`}>
        workflow run #{execution.workflowRunId} · {execution.workflowStepKey ?? 'step'}
      </Link>
    );
  }
  return <>{execution.trigger}</>;
}
