import type { AgentSpendDto } from '@/lib/contracts/costs';
import { formatSpend, formatTokens } from '@/lib/presentation/format';

export function SpendByAgentTable({ agents }: { agents: readonly AgentSpendDto[] }) {
  if (agents.length === 0) return <p className="empty">No spend this month.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="spend-by-agent">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col" className="num" title="A run that used two models counts once per model">
              Model runs
            </th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr key={agent.agentId} data-testid="agent-spend-row" data-agent-id={agent.agentId}>
              <td>
                {agent.agentName}
                {agent.deleted ? <span className="tag">deleted</span> : null}
              </td>
              <td className="num">{formatTokens(agent.modelRunCount)}</td>
              <td className="num">{formatSpend(agent.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
