'use client';

import Link from 'next/link';
import { RunButton } from '@/components/features/agents/RunButton';
import { Tag } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import type { AgentDto } from '@/lib/contracts/agents';

const columns: Columns<AgentDto> = [
  {
    id: 'name',
    header: 'Agent',
    accessorFn: (agent) => agent.name.toLowerCase(),
    enableSorting: true,
    meta: { primary: true },
    cell: ({ row: { original: agent } }) => (
      <span>
        <Link href={`/agents/${agent.id}`} data-testid="agent-link">
          {agent.name}
        </Link>{' '}
        {agent.builtin ? <Tag>built-in</Tag> : null}
      </span>
    ),
  },
  {
    id: 'model',
    header: 'Model',
    accessorFn: (agent) => agent.model,
    enableSorting: true,
    cell: ({ row }) => <span className="mono">{row.original.model}</span>,
  },
  {
    id: 'description',
    header: 'Description',
    cell: ({ row }) => <span className="muted">{row.original.description || '—'}</span>,
  },
  {
    id: 'actions',
    header: () => <span className="visually-hidden">Actions</span>,
    meta: { align: 'end', shrink: true, bare: true },
    cell: ({ row }) => <RunButton agentId={row.original.id} agentName={row.original.name} />,
  },
];

export function AgentList({ agents }: { agents: readonly AgentDto[] }) {
  return (
    <DataTable
      data={agents}
      columns={columns}
      getRowId={(agent) => String(agent.id)}
      testId="agent-list"
      label="Agents"
      rowData={(agent) => ({
        'data-testid': 'agent-row',
        'data-agent-id': agent.id,
        'data-agent-name': agent.name,
      })}
      empty={
        <Empty testId="empty-agents">
          No agents yet — <Link href="/agents/new">create one</Link>.
        </Empty>
      }
    />
  );
}
