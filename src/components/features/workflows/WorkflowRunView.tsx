'use client';

import Link from 'next/link';
import { Callout } from '@/components/ui/Callout';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Fact, Facts } from '@/components/ui/Facts';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { STATUS_LABELS, StatusBadge } from '@/components/ui/StatusBadge';
import { StopButton } from '@/components/ui/StopButton';
import { Time } from '@/components/ui/Time';
import { useClock } from '@/contexts/ClockContext';
import { useGraphLayout } from '@/hooks/useGraphLayout';
import { useNow } from '@/hooks/useNow';
import { useWorkflowRun } from '@/hooks/useWorkflowRun';
import type { WorkflowRunDto, WorkflowRunStepDto } from '@/lib/contracts/workflows';
import { formatDuration, formatUsd } from '@/lib/presentation/format';
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
}: {
  initial: WorkflowRunDto;
  agentNames: Readonly<Record<number, string>>;
}) {
  const run = useWorkflowRun(initial);
  const active = isRunActive(run);
  const clock = useClock();
  const now = useNow(active, clock.now);
  const layout = useGraphLayout(run.steps);
  const nodes = new Map(
    run.steps.map((step) => [step.key, nodeOf(step, agentLabel(agentNames, step.agentId), now)]),
  );

  const stepColumns: Columns<WorkflowRunStepDto> = [
    {
      id: 'key',
      header: 'Step',
      meta: { primary: true },
      cell: ({ row }) => <span className="mono">{row.original.key}</span>,
    },
    { id: 'agent', header: 'Agent', cell: ({ row }) => agentLabel(agentNames, row.original.agentId) },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row }) => <StatusBadge status={row.original.status} testId="workflow-step-status" />,
    },
    {
      id: 'runIf',
      header: 'Runs when',
      cell: ({ row }) =>
        row.original.dependsOn.length === 0 ? 'at the start' : RUN_IF_LABELS[row.original.runIf],
    },
    {
      id: 'duration',
      header: 'Duration',
      meta: { align: 'end' },
      cell: ({ row }) => formatDuration(runDurationMs(row.original, now)),
    },
    {
      id: 'cost',
      header: 'Cost',
      meta: { align: 'end' },
      cell: ({ row }) => formatUsd(row.original.costUsd),
    },
    {
      id: 'run',
      header: 'Run',
      cell: ({ row }) =>
        row.original.executionId === null ? (
          '—'
        ) : (
          <Link href={`/executions/${row.original.executionId}`} data-testid="step-execution-link">
            #{row.original.executionId}
          </Link>
        ),
    },
    {
      id: 'notes',
      header: 'Notes',
      meta: { testId: 'workflow-step-notes' },
      cell: ({ row: { original: step } }) => (
        <span className="small">
          {step.reason}
          {step.missingValues.length > 0 ? ` No value for: ${step.missingValues.join(', ')}` : null}
        </span>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={
          <>
            Workflow run #{run.id} ·{' '}
            <Link href={`/workflows/${run.workflowId}`} data-testid="workflow-run-workflow">
              {run.workflowName}
            </Link>
            <StatusBadge status={runBadgeStatus(run)} testId="workflow-run-status" />
          </>
        }
        actions={
          active && run.stopping === null ? (
            <StopButton
              path={`/api/workflow-runs/${run.id}/cancel`}
              label="Cancel run"
              testId="cancel-workflow-run"
            />
          ) : null
        }
      />
      <Panel testId="workflow-run-header" data={{ 'data-run-id': run.id }}>
        <Facts>
          <Fact label="Trigger" testId="workflow-run-trigger">
            {run.scheduleId === null ? (
              run.trigger
            ) : (
              <Link href={`/schedules/${run.scheduleId}`}>schedule #{run.scheduleId}</Link>
            )}
          </Fact>
          <Fact label="Version" testId="workflow-run-version">
            {run.workflowVersion}
          </Fact>
          <Fact label="Started" testId="workflow-run-started">
            <Time epochMs={run.startedAt ?? run.createdAt} format="datetime" seconds />
          </Fact>
          <Fact label="Duration" testId="workflow-run-duration">
            {formatDuration(runDurationMs(run, now))}
          </Fact>
          <Fact label="Steps ended" testId="workflow-run-steps-ended">
            {run.stepsEnded} / {run.stepCount}
          </Fact>
          <Fact label={run.budgetUsd === null ? 'Spend' : 'Spend / budget'} testId="workflow-run-spend">
            {formatUsd(run.spendUsd)}
            {run.budgetUsd === null ? null : ` / ${formatUsd(run.budgetUsd)}`}
          </Fact>
        </Facts>
        {run.error ? (
          <Callout tone="error" testId="workflow-run-error" as="p">
            {run.error}
          </Callout>
        ) : null}
      </Panel>

      <Panel title="Steps">
        <WorkflowGraph
          id="workflow-run"
          layout={layout}
          nodes={nodes}
          label={`Workflow run ${run.id}: each step with its status; arrows lead from a dependency to the step that waits for it`}
        />
        <DataTable
          data={run.steps}
          columns={stepColumns}
          getRowId={(step) => step.key}
          testId="workflow-step-list"
          label="Steps"
          rowData={(step) => ({
            'data-testid': 'workflow-step-row',
            'data-key': step.key,
            'data-status': step.status,
          })}
        />
      </Panel>

      {Object.keys(run.input).length > 0 ? (
        <Panel title="Input">
          <Facts testId="workflow-run-input">
            {Object.entries(run.input).map(([name, value]) => (
              <Fact key={name} label={name} testId={`workflow-run-input-${name}`}>
                {value === '' ? '—' : value}
              </Fact>
            ))}
          </Facts>
        </Panel>
      ) : null}
    </>
  );
}
