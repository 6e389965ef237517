'use client';

import { useAgentExecution } from '@/hooks/useAgentExecution';
import { isActiveStatus } from '@/lib/contracts/executions';
import { type ExecutionSnapshot, pendingApiRetry } from '@/lib/presentation/executionView';
import { AttemptList } from './AttemptList';
import { CostBreakdown } from './CostBreakdown';
import { ExecutionHeader } from './ExecutionHeader';
import { LogViewer } from './LogViewer';
import { OutputPrunedNote } from './OutputPrunedNote';
import { RunResources } from './RunResources';
import { StepTimeline } from './StepTimeline';

/** The live execution page below the app header: first paint from the server, then the socket. */
export function ExecutionView({ snapshot, renderedAt }: { snapshot: ExecutionSnapshot; renderedAt: number }) {
  const { state, loadEarlierLogs, loadingEarlier, earlierError } = useAgentExecution(snapshot);
  const { execution } = state;
  const live = isActiveStatus(execution.status);
  const baseMs = execution.startedAt ?? execution.createdAt;
  return (
    <>
      <ExecutionHeader execution={execution} pendingRetry={pendingApiRetry(state)} renderedAt={renderedAt} />
      <OutputPrunedNote prunedAt={snapshot.execution.outputPrunedAt} />
      <div className="exec-panels">
        <section className="panel" aria-labelledby="steps-heading">
          <h2 id="steps-heading">
            Steps <span className="count">{state.steps.length}</span>
          </h2>
          <StepTimeline steps={state.steps} baseMs={baseMs} />
        </section>
        <section className="panel" aria-labelledby="log-heading">
          <h2 id="log-heading">Log</h2>
          <LogViewer
            lines={state.logs}
            hasEarlier={state.hasEarlierLogs}
            loadingEarlier={loadingEarlier}
            earlierError={earlierError}
            onLoadEarlier={loadEarlierLogs}
          />
        </section>
      </div>
      <RunResources resources={execution.resources} steps={state.steps} baseMs={baseMs} running={live} />
      <CostBreakdown costs={execution.costs} />
      <AttemptList attempts={execution.attempts} />
    </>
  );
}
