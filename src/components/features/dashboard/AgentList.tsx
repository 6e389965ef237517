import Link from 'next/link';
import { RunButton } from '@/components/features/agents/RunButton';
import type { AgentDto } from '@/lib/contracts/agents';

export function AgentList({ agents }: { agents: readonly AgentDto[] }) {
  if (agents.length === 0) {
    return (
      <p className="empty" data-testid="empty-agents">
        No agents yet — <Link href="/agents/new">create one</Link>.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="agent-list">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Model</th>
            <th scope="col">Description</th>
            <th scope="col" className="actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr key={agent.id} data-testid="agent-row" data-agent-id={agent.id} data-agent-name={agent.name}>
              <td>
                <Link href={`/agents/${agent.id}`} data-testid="agent-link">
                  {agent.name}
                </Link>
                {agent.builtin ? <span className="tag">built-in</span> : null}
              </td>
              <td className="mono">{agent.model}</td>
              <td className="description">{agent.description || <span className="muted">—</span>}</td>
              <td className="actions">
                <RunButton agentId={agent.id} agentName={agent.name} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
