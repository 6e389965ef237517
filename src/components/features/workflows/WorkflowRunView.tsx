'use client';

import Link from 'next/link';
import { Fact } from '@/components/ui/Fact';
import { LocalTime } from '@/components/ui/LocalTime';
import { STATUS_LABELS, StatusBadge } from '@/components/ui/StatusBadge';
import { StopButton } from '@/components/ui/StopButton';
import { useGraphLayout } from '@/hooks/useGraphLayout';
import { useNow } from '@/hooks/useNow';
import { useWorkflowRun } from '@/hooks/useWorkflowRun';
import type { WorkflowRunDto, WorkflowRunStepDto } from '@/lib/contracts/workflows';
import { formatDuration, formatSpend, formatUsd } from '@/lib/presentation/format';
import { isRunActive, runBadgeStatus, runDurationMs } from '@/lib/presentation/workflowRuns';
import { RUN_IF_LABELS } from './definitionNodes';
import { type GraphNodeView, WorkflowGraph } from './WorkflowGraph';

const agentLabel = (names: Readonly<Record<number, string>>, agentId: number) =>
  names[agentId] ?? `agent #${agentId}`;

/** A box of the live graph: its status and how long it ran, its agent and what it cost, its run's page. */
function nodeOf(step: WorkflowRunStepDto, agentName: string, now: number): GraphNodeView {
  const duration = runDurationMs(step, now);
  const status = STATUS_LABELS[step.status];
  return {
    key: step.key,
    runIf: step.runIf,
    status: step.status,
    lines: [
      duration === null ? status : `${status} · ${formatDuration(duration)}`,
      `${formatUsd(step.costUsd)} · ${agentName}`,
    ],
    title: [step.key, status, step.reason].filter(Boolean).join(' · '),
    href: step.executionId === null ? null : `/executions/${step.executionId}`,
  };
}

/**
 * A workflow run, live: each step's box changes as its execution queues, runs and ends (the
 * `workflowRuns` topic), with its duration, cost and a link to its run's page.
 */
export function WorkflowRunView({
  initial,
  agentNames,
  renderedAt,
}: {
  initial: WorkflowRunDto;
  agentNames: Readonly<Record<number, string>>;
  renderedAt: number;
}) {
  const run = useWorkflowRun(initial);
  const active = isRunActive(run);
  const now = useNow(active, renderedAt);
  const layout = useGraphLayout(run.steps);
  const nodes = new Map(
    run.steps.map((step) => [step.key, nodeOf(step, agentLabel(agentNames, step.agentId), now)]),
  );

  return (
    <>
      <section className="exec-header" data-testid="workflow-run-header" data-run-id={run.id}>
        <div className="exec-title">
          <h1>
            Workflow run #{run.id} ·{' '}
            <Link href={`/workflows/${run.workflowId}`} data-testid="workflow-run-workflow">
              {run.workflowName}
            </Link>
          </h1>
          <StatusBadge status={runBadgeStatus(run)} testId="workflow-run-status" />
          {active && run.stopping === null ? (
            <StopButton
              path={`/api/workflow-runs/${run.id}/cancel`}
              label="Cancel run"
              testId="cancel-workflow-run"
            />
          ) : null}
        </div>
        <dl className="facts">
          <Fact label="Trigger" testId="workflow-run-trigger">
            {run.scheduleId === null ? run.trigger : `schedule #${run.scheduleId}`}
          </Fact>
          <Fact label="Version" testId="workflow-run-version">
            {run.workflowVersion}
          </Fact>
          <Fact label="Started" testId="workflow-run-started">
            <LocalTime epochMs={run.startedAt ?? run.createdAt} />
          </Fact>
          <Fact label="Duration" testId="workflow-run-duration">
            {formatDuration(runDurationMs(run, now))}
          </Fact>
          <Fact label="Steps ended" testId="workflow-run-steps-ended">
            {run.stepsEnded} / {run.stepCount}
          </Fact>
          <Fact label={run.budgetUsd === null ? 'Spend' : 'Spend / budget'} testId="workflow-run-spend">
            {formatSpend(run.spendUsd)}
            {run.budgetUsd === null ? null : ` / ${formatSpend(run.budgetUsd)}`}
          </Fact>
        </dl>
        {run.error ? (
          <p className="callout callout-error" data-testid="workflow-run-error">
            {run.error}
          </p>
        ) : null}
      </section>

      <section className="panel" aria-labelledby="run-graph-heading">
        <h2 id="run-graph-heading">Steps</h2>
        <WorkflowGraph
          id="workflow-run"
          layout={layout}
          nodes={nodes}
          label={`Workflow run ${run.id}: each step with its status; arrows lead from a dependency to the step that waits for it`}
        />
        <div className="table-wrap">
          <table className="table" data-testid="workflow-step-list">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Runs when</th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col">Run</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {run.steps.map((step) => (
                <tr
                  key={step.key}
                  data-testid="workflow-step-row"
                  data-key={step.key}
                  data-status={step.status}
                >
                  <td className="mono">{step.key}</td>
                  <td>{agentLabel(agentNames, step.agentId)}</td>
                  <td>
                    <StatusBadge status={step.status} testId="workflow-step-status" />
                  </td>
                  <td>{step.dependsOn.length === 0 ? 'at the start' : RUN_IF_LABELS[step.runIf]}</td>
                  <td className="num">{formatDuration(runDurationMs(step, now))}</td>
                  <td className="num">{formatUsd(step.costUsd)}</td>
                  <td>
                    {step.executionId === null ? (
                      '—'
                    ) : (
                      <Link href={`/executions/${step.executionId}`} data-testid="step-execution-link">
                        #{step.executionId}
                      </Link>
                    )}
                  </td>
                  <td className="small" data-testid="workflow-step-notes">
                    {step.reason}
                    {step.missingValues.length > 0 ? ` No value for: ${step.missingValues.join(', ')}` : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {Object.keys(run.input).length > 0 ? (
        <section className="panel" aria-labelledby="run-input-heading">
          <h2 id="run-input-heading">Input</h2>
          <dl className="facts" data-testid="workflow-run-input">
            {Object.entries(run.input).map(([name, value]) => (
              <Fact key={name} label={name} testId={`workflow-run-input-${name}`}>
                {value === '' ? '—' : value}
              </Fact>
            ))}
          </dl>
        </section>
      ) : null}
    </>
  );
}
