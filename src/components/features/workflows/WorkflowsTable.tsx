'use client';

import Link from 'next/link';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import type { WorkflowSummaryDto } from '@/lib/contracts/workflows';
import { formatUsd } from '@/lib/presentation/format';

const columns: Columns<WorkflowSummaryDto> = [
  {
    id: 'name',
    header: 'Name',
    accessorFn: (workflow) => workflow.name.toLowerCase(),
    enableSorting: true,
    meta: { primary: true },
    cell: ({ row }) => (
      <Link href={`/workflows/${row.original.id}`} data-testid="workflow-link">
        {row.original.name}
      </Link>
    ),
  },
  {
    id: 'description',
    header: 'Description',
    cell: ({ row }) => <span className="muted">{row.original.description || '—'}</span>,
  },
  {
    id: 'steps',
    header: 'Steps',
    accessorFn: (workflow) => workflow.stepCount,
    enableSorting: true,
    meta: { align: 'end' },
    cell: ({ row }) => row.original.stepCount,
  },
  {
    id: 'budget',
    header: 'Budget per run',
    meta: { align: 'end' },
    cell: ({ row }) => (row.original.maxCostUsd === null ? '—' : formatUsd(row.original.maxCostUsd)),
  },
  { id: 'version', header: 'Version', meta: { align: 'end' }, cell: ({ row }) => row.original.version },
  {
    id: 'saved',
    header: 'Saved',
    accessorFn: (workflow) => workflow.updatedAt,
    enableSorting: true,
    cell: ({ row }) => <Time epochMs={row.original.updatedAt} />,
  },
];

/** The saved workflows, by name. */
export function WorkflowsTable({ workflows }: { workflows: readonly WorkflowSummaryDto[] }) {
  return (
    <DataTable
      data={workflows}
      columns={columns}
      getRowId={(workflow) => String(workflow.id)}
      testId="workflow-list"
      label="Saved workflows"
      rowData={(workflow) => ({ 'data-testid': 'workflow-row', 'data-workflow-name': workflow.name })}
      empty={<Empty testId="empty-workflows">No workflows yet.</Empty>}
    />
  );
}
