'use client';

import { type Columns, DataTable } from '@/components/ui/DataTable';
import type { WorkflowDto } from '@/lib/contracts/workflows';
import { RUN_IF_LABELS } from './definitionNodes';

type Step = WorkflowDto['steps'][number];

/** A saved workflow's steps: agent, dependencies, when each runs, and its prompt. */
export function WorkflowStepsTable({
  steps,
  agentNames,
}: {
  steps: readonly Step[];
  agentNames: Record<number, string>;
}) {
  const columns: Columns<Step> = [
    {
      id: 'key',
      header: 'Step',
      meta: { primary: true },
      cell: ({ row }) => <span className="mono">{row.original.key}</span>,
    },
    {
      id: 'agent',
      header: 'Agent',
      cell: ({ row }) => agentNames[row.original.agentId] ?? `agent #${row.original.agentId}`,
    },
    {
      id: 'dependsOn',
      header: 'Depends on',
      cell: ({ row }) => (row.original.dependsOn.length === 0 ? '—' : row.original.dependsOn.join(', ')),
    },
    {
      id: 'runIf',
      header: 'Runs when',
      cell: ({ row }) =>
        row.original.dependsOn.length === 0 ? 'at the start' : RUN_IF_LABELS[row.original.runIf],
    },
    {
      id: 'prompt',
      header: 'Prompt',
      cell: ({ row }) => <span className="mono small">{row.original.prompt}</span>,
    },
  ];
  return (
    <DataTable
      data={steps}
      columns={columns}
      getRowId={(step) => step.key}
      testId="workflow-steps"
      label="Steps"
      rowData={(step) => ({ 'data-testid': 'workflow-step', 'data-key': step.key })}
    />
  );
}
