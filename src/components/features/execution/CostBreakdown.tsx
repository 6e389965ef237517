'use client';

import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Panel } from '@/components/ui/Panel';
import { type ModelCost, TOKEN_KINDS } from '@/lib/contracts/executions';
import { formatCount, formatUsd, formatUsdExact } from '@/lib/presentation/format';
import styles from './Execution.module.css';

const TOKEN_LABELS: Record<(typeof TOKEN_KINDS)[number], string> = {
  inputTokens: 'Input',
  outputTokens: 'Output',
  cacheCreation5mTokens: 'Cache write 5m',
  cacheCreation1hTokens: 'Cache write 1h',
  cacheReadTokens: 'Cache read',
};

function flags(cost: ModelCost): string[] {
  const notes: string[] = [];
  if (cost.unpriced) notes.push('unpriced: not in the price table, the SDK’s estimate is used');
  if (cost.costMismatch) notes.push('differs from the SDK’s estimate by more than 1%');
  if (cost.usageSource === 'result') notes.push('tokens raised to the result message’s totals');
  return notes;
}

/** Dollars as everywhere, the exact micro-dollar figure on hover. */
const Usd = ({ usd }: { usd: number }) => <span title={formatUsdExact(usd)}>{formatUsd(usd)}</span>;

const columns: Columns<ModelCost> = [
  {
    id: 'model',
    header: 'Model',
    meta: { primary: true },
    cell: ({ row }) => <span className="mono">{row.original.model}</span>,
  },
  {
    id: 'responses',
    header: 'Responses',
    meta: { align: 'end' },
    cell: ({ row }) => row.original.responseCount,
  },
  ...TOKEN_KINDS.map((kind): Columns<ModelCost>[number] => ({
    id: kind,
    header: TOKEN_LABELS[kind],
    meta: { align: 'end', testId: `cost-${kind}` },
    cell: ({ row }) => formatCount(row.original[kind]),
  })),
  {
    id: 'cost',
    header: 'Cost',
    meta: { align: 'end', testId: 'cost-usd' },
    cell: ({ row }) => <Usd usd={row.original.costUsd} />,
  },
  {
    id: 'reported',
    header: 'SDK estimate',
    meta: { align: 'end', testId: 'cost-reported-usd' },
    // None when the run ended without a result message, or the SDK booked this model's tokens under another.
    cell: ({ row }) =>
      row.original.reportedCostUsd === 0 ? '—' : <Usd usd={row.original.reportedCostUsd} />,
  },
  {
    id: 'notes',
    header: 'Notes',
    meta: { testId: 'cost-flags' },
    cell: ({ row: { original: cost } }) =>
      flags(cost).map((note) => (
        <span key={note} className={cost.unpriced ? `${styles.flag} ${styles.flagWarn}` : styles.flag}>
          {note}
        </span>
      )),
  },
];

/** The run's cost by model and token kind, with the SDK's own figure beside it. */
export function CostBreakdown({ costs }: { costs: ModelCost[] }) {
  if (costs.length === 0) return null;
  return (
    <Panel title="Cost by model" testId="cost-breakdown">
      <DataTable
        data={costs}
        columns={columns}
        getRowId={(cost) => cost.model}
        testId="cost-list"
        label="Cost by model"
        rowData={(cost) => ({ 'data-testid': 'cost-row', 'data-model': cost.model })}
      />
    </Panel>
  );
}
