'use client';

import { Panel } from '@/components/ui/Panel';
import { useAgentExecution } from '@/hooks/useAgentExecution';
import { isActiveStatus } from '@/lib/contracts/executions';
import { type ExecutionSnapshot, pendingApiRetry } from '@/lib/presentation/executionView';
import { AttemptList } from './AttemptList';
import { ContinueBox } from './ContinueBox';
import { CostBreakdown } from './CostBreakdown';
import styles from './Execution.module.css';
import { ExecutionHeader } from './ExecutionHeader';
import { LogViewer } from './LogViewer';
import { OutputPrunedNote } from './OutputPrunedNote';
import { RunApprovals } from './RunApprovals';
import { RunChain } from './RunChain';
import { RunDenials } from './RunDenials';
import { RunResources } from './RunResources';
import { StepTimeline } from './StepTimeline';
import { StructuredOutput } from './StructuredOutput';

/** The live execution page below the app header: first paint from the server, then the socket. */
export function ExecutionView({ snapshot }: { snapshot: ExecutionSnapshot }) {
  const { state, loadEarlierLogs, loadAllLogs, loadingEarlier, earlierError } = useAgentExecution(snapshot);
  const { execution } = state;
  const live = isActiveStatus(execution.status);
  const baseMs = execution.startedAt ?? execution.createdAt;
  return (
    <>
      <ExecutionHeader execution={execution} pendingRetry={pendingApiRetry(state)} />
      <RunDenials execution={execution} />
      <RunApprovals executionId={execution.id} initial={snapshot.approvals ?? []} />
      <OutputPrunedNote prunedAt={snapshot.execution.outputPrunedAt} />
      <StructuredOutput value={execution.structuredOutput} />
      <div className={styles.panels}>
        <StepTimeline steps={state.steps} baseMs={baseMs} />
        <Panel title="Log">
          <LogViewer
            executionId={execution.id}
            lines={state.logs}
            lineOffset={state.logLineOffset}
            baseMs={baseMs}
            onLoadAll={loadAllLogs}
            hasEarlier={state.hasEarlierLogs}
            loadingEarlier={loadingEarlier}
            earlierError={earlierError}
            onLoadEarlier={loadEarlierLogs}
          />
        </Panel>
      </div>
      <RunResources resources={execution.resources} steps={state.steps} baseMs={baseMs} running={live} />
      <CostBreakdown costs={execution.costs} />
      <AttemptList attempts={execution.attempts} />
      <RunChain chain={execution.chain} current={execution} />
      {live ? null : <ContinueBox executionId={execution.id} />}
    </>
  );
}
