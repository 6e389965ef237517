import type { BudgetStatusDto } from '@/lib/contracts/costs';
import { BUDGET_LEVEL_LABELS, budgetUsage } from './budgetText';

/** This month's budgets as bars: warning colour from 80 %, full and red at 100 %. */
export function BudgetBars({ budgets }: { budgets: readonly BudgetStatusDto[] }) {
  if (budgets.length === 0) {
    return (
      <p className="empty" data-testid="no-budgets">
        No monthly budgets are set. Give an agent a monthly budget, or set one for all agents in the settings.
      </p>
    );
  }
  return (
    <ul className="budget-list" data-testid="budget-list">
      {budgets.map((budget) => (
        <li
          key={budget.agentId ?? 'global'}
          className={`budget budget-${budget.level}`}
          data-testid="budget"
          data-level={budget.level}
        >
          <div className="budget-head">
            <span className="budget-name">{budget.name}</span>
            <span className="muted small">
              {budgetUsage(budget)} · {BUDGET_LEVEL_LABELS[budget.level]}
            </span>
          </div>
          <meter
            className="budget-meter"
            min={0}
            max={1}
            value={Math.min(1, budget.fraction)}
            aria-label={`${budget.name}: ${budgetUsage(budget)}`}
          >
            {budgetUsage(budget)}
          </meter>
        </li>
      ))}
    </ul>
  );
}
