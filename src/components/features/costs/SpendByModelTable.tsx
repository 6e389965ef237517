import type { ModelSpendDto } from '@/lib/contracts/costs';
import { formatSpend, formatTokens } from '@/lib/presentation/format';

export function SpendByModelTable({ models }: { models: readonly ModelSpendDto[] }) {
  if (models.length === 0) return <p className="empty">No spend this month.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="spend-by-model">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Runs
            </th>
            <th scope="col" className="num">
              Tokens in / out
            </th>
            <th scope="col" className="num">
              Cache write / read
            </th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model.model} data-testid="model-spend-row">
              <td className="mono">{model.model}</td>
              <td className="num">{formatTokens(model.executionCount)}</td>
              <td className="num">
                {formatTokens(model.inputTokens)} / {formatTokens(model.outputTokens)}
              </td>
              <td className="num">
                {formatTokens(model.cacheCreationTokens)} / {formatTokens(model.cacheReadTokens)}
              </td>
              <td className="num">{formatSpend(model.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
