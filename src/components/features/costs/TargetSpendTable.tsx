'use client';

import Link from 'next/link';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import type { TargetSpendDto } from '@/lib/contracts/costs';
import { formatCount, formatUsd, formatUsdExact } from '@/lib/presentation/format';

const HREF = { agent: '/agents', schedule: '/schedules', workflow: '/workflows' } as const;
const HEADER = { agent: 'Agent', schedule: 'Schedule', workflow: 'Workflow' } as const;

/** A range's spend per agent, schedule or workflow, biggest first, each linked to its page. */
export function TargetSpendTable({
  kind,
  rows,
}: {
  kind: 'agent' | 'schedule' | 'workflow';
  rows: readonly TargetSpendDto[];
}) {
  const columns: Columns<TargetSpendDto> = [
    {
      id: 'name',
      header: HEADER[kind],
      accessorFn: (row) => row.name.toLowerCase(),
      enableSorting: true,
      meta: { primary: true },
      cell: ({ row }) => <Link href={`${HREF[kind]}/${row.original.id}`}>{row.original.name}</Link>,
    },
    {
      id: 'runs',
      header: 'Runs',
      accessorFn: (row) => row.runs,
      enableSorting: true,
      meta: { align: 'end' },
      cell: ({ row }) => formatCount(row.original.runs),
    },
    {
      id: 'cost',
      header: 'Cost',
      accessorFn: (row) => row.costUsd,
      enableSorting: true,
      meta: { align: 'end', testId: 'target-spend-cost' },
      cell: ({ row }) => (
        <span title={formatUsdExact(row.original.costUsd)}>{formatUsd(row.original.costUsd)}</span>
      ),
    },
  ];
  return (
    <DataTable
      data={rows}
      columns={columns}
      getRowId={(row) => String(row.id)}
      testId={`spend-by-${kind}`}
      label={`Spend by ${kind}`}
      rowData={(row) => ({ 'data-testid': `${kind}-spend-row`, 'data-id': row.id })}
      empty={<Empty>No spend in this range.</Empty>}
    />
  );
}
