'use client';

import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import type { ModelSpendDto } from '@/lib/contracts/costs';
import { formatCount, formatUsd } from '@/lib/presentation/format';

const columns: Columns<ModelSpendDto> = [
  {
    id: 'model',
    header: 'Model',
    accessorFn: (model) => model.model,
    enableSorting: true,
    meta: { primary: true },
    cell: ({ row }) => <span className="mono">{row.original.model}</span>,
  },
  {
    id: 'runs',
    header: 'Runs',
    accessorFn: (model) => model.executionCount,
    enableSorting: true,
    meta: { align: 'end' },
    cell: ({ row }) => formatCount(row.original.executionCount),
  },
  {
    id: 'tokens',
    header: 'Tokens in / out',
    meta: { align: 'end' },
    cell: ({ row }) => `${formatCount(row.original.inputTokens)} / ${formatCount(row.original.outputTokens)}`,
  },
  {
    id: 'cache',
    header: 'Cache write / read',
    meta: { align: 'end' },
    cell: ({ row }) =>
      `${formatCount(row.original.cacheCreationTokens)} / ${formatCount(row.original.cacheReadTokens)}`,
  },
  {
    id: 'cost',
    header: 'Cost',
    accessorFn: (model) => model.costUsd,
    enableSorting: true,
    meta: { align: 'end' },
    cell: ({ row }) => formatUsd(row.original.costUsd),
  },
];

export function SpendByModelTable({ models }: { models: readonly ModelSpendDto[] }) {
  return (
    <DataTable
      data={models}
      columns={columns}
      getRowId={(model) => model.model}
      testId="spend-by-model"
      label="Spend by model"
      rowData={() => ({ 'data-testid': 'model-spend-row' })}
      empty={<Empty>No spend this month.</Empty>}
    />
  );
}
