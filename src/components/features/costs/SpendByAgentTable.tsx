'use client';

import { Tag } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import type { AgentSpendDto } from '@/lib/contracts/costs';
import { formatCount, formatUsd } from '@/lib/presentation/format';

const columns: Columns<AgentSpendDto> = [
  {
    id: 'agent',
    header: 'Agent',
    accessorFn: (agent) => agent.agentName.toLowerCase(),
    enableSorting: true,
    meta: { primary: true },
    cell: ({ row: { original: agent } }) => (
      <span>
        {agent.agentName} {agent.deleted ? <Tag>deleted</Tag> : null}
      </span>
    ),
  },
  {
    id: 'runs',
    header: () => <span title="A run that used two models counts once per model">Model runs</span>,
    accessorFn: (agent) => agent.modelRunCount,
    enableSorting: true,
    meta: { align: 'end', label: 'Model runs' },
    cell: ({ row }) => formatCount(row.original.modelRunCount),
  },
  {
    id: 'cost',
    header: 'Cost',
    accessorFn: (agent) => agent.costUsd,
    enableSorting: true,
    meta: { align: 'end' },
    cell: ({ row }) => formatUsd(row.original.costUsd),
  },
];

export function SpendByAgentTable({ agents }: { agents: readonly AgentSpendDto[] }) {
  return (
    <DataTable
      data={agents}
      columns={columns}
      getRowId={(agent) => String(agent.agentId)}
      testId="spend-by-agent"
      label="Spend by agent"
      rowData={(agent) => ({ 'data-testid': 'agent-spend-row', 'data-agent-id': agent.agentId })}
      empty={<Empty>No spend this month.</Empty>}
    />
  );
}
