import type { ModelCost } from '@/lib/contracts/executions';
import { formatExactUsd, formatTokens } from '@/lib/presentation/format';

const TOKEN_COLUMNS = [
  ['inputTokens', 'Input'],
  ['outputTokens', 'Output'],
  ['cacheCreation5mTokens', 'Cache write 5m'],
  ['cacheCreation1hTokens', 'Cache write 1h'],
  ['cacheReadTokens', 'Cache read'],
] as const;

function flags(cost: ModelCost): string[] {
  const notes: string[] = [];
  if (cost.unpriced) notes.push('unpriced: not in the price table, the SDK’s estimate is used');
  if (cost.costMismatch) notes.push('differs from the SDK’s estimate by more than 1%');
  if (cost.usageSource === 'result') notes.push('tokens raised to the result message’s totals');
  return notes;
}

/** The run's cost by model and token kind, to the micro-dollar, with the SDK's own figure beside it. */
export function CostBreakdown({ costs }: { costs: ModelCost[] }) {
  if (costs.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="cost-heading" data-testid="cost-breakdown">
      <h2 id="cost-heading">Cost by model</h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Responses</th>
              {TOKEN_COLUMNS.map(([key, label]) => (
                <th scope="col" key={key} className="num">
                  {label}
                </th>
              ))}
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col" className="num">
                SDK estimate
              </th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {costs.map((cost) => (
              <tr key={cost.model} data-testid="cost-row" data-model={cost.model}>
                <th scope="row">{cost.model}</th>
                <td className="num">{cost.responseCount}</td>
                {TOKEN_COLUMNS.map(([key]) => (
                  <td key={key} className="num" data-testid={`cost-${key}`}>
                    {formatTokens(cost[key])}
                  </td>
                ))}
                <td className="num" data-testid="cost-usd">
                  {formatExactUsd(cost.costUsd)}
                </td>
                <td className="num" data-testid="cost-reported-usd">
                  {/* None when the run ended without a result message, or the SDK booked this model's tokens under another. */}
                  {cost.reportedCostUsd === 0 ? '—' : formatExactUsd(cost.reportedCostUsd)}
                </td>
                <td data-testid="cost-flags">
                  {flags(cost).map((note) => (
                    <span key={note} className={`flag ${cost.unpriced ? 'flag-warn' : ''}`}>
                      {note}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
