'use client';

import Link from 'next/link';
import { Tag } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { Time } from '@/components/ui/Time';
import type { TopExecutionDto } from '@/lib/contracts/costs';
import { formatUsd, formatUsdExact } from '@/lib/presentation/format';

const columns: Columns<TopExecutionDto> = [
  {
    id: 'id',
    header: 'Run',
    meta: { primary: true, shrink: true },
    cell: ({ row }) => <Link href={`/executions/${row.original.id}`}>#{row.original.id}</Link>,
  },
  { id: 'agent', header: 'Agent', cell: ({ row }) => row.original.agentName },
  { id: 'status', header: 'Status', cell: ({ row }) => <StatusBadge status={row.original.status} /> },
  {
    id: 'created',
    header: 'Created',
    accessorFn: (execution) => execution.createdAt,
    enableSorting: true,
    cell: ({ row }) => <Time epochMs={row.original.createdAt} />,
  },
  {
    id: 'models',
    header: 'Models',
    cell: ({ row }) => <span className="mono">{row.original.models.join(', ')}</span>,
  },
  {
    id: 'cost',
    header: 'Cost',
    accessorFn: (execution) => execution.costUsd,
    enableSorting: true,
    meta: { align: 'end' },
    cell: ({ row: { original: execution } }) => (
      <span>
        <span title={formatUsdExact(execution.costUsd)}>{formatUsd(execution.costUsd)}</span>
        {execution.unpriced ? (
          <>
            {' '}
            <Tag warn title="A model of this run has no price: the cost is the SDK's estimate">
              unpriced
            </Tag>
          </>
        ) : null}
      </span>
    ),
  },
];

export function TopExecutionsTable({ executions }: { executions: readonly TopExecutionDto[] }) {
  return (
    <DataTable
      data={executions}
      columns={columns}
      getRowId={(execution) => String(execution.id)}
      testId="top-executions"
      label="Most expensive runs"
      rowData={(execution) => ({ 'data-testid': 'top-execution-row', 'data-execution-id': execution.id })}
      empty={<Empty>No paid runs this month.</Empty>}
    />
  );
}
