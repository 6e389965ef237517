import { Empty } from '@/components/ui/Panel';
import type { BudgetStatusDto } from '@/lib/contracts/costs';
import { BUDGET_LEVEL_LABELS, budgetUsage } from './budgetText';
import styles from './Costs.module.css';

/** This month's budgets as bars: warning colour from 80 %, full and red at 100 %. */
export function BudgetBars({ budgets }: { budgets: readonly BudgetStatusDto[] }) {
  if (budgets.length === 0) {
    return (
      <Empty testId="no-budgets">
        No monthly budgets are set. Give an agent a monthly budget, or set one for all agents in the settings.
      </Empty>
    );
  }
  return (
    <ul className={styles.budgets} data-testid="budget-list">
      {budgets.map((budget) => (
        <li
          key={budget.agentId ?? 'global'}
          className={`${styles.budget} ${styles[`budget-${budget.level}`] ?? ''}`}
          data-testid="budget"
          data-level={budget.level}
        >
          <div className={styles.budgetHead}>
            <span className={styles.budgetName}>{budget.name}</span>
            <span className="muted small">
              {budgetUsage(budget)} · {BUDGET_LEVEL_LABELS[budget.level]}
            </span>
          </div>
          <meter
            className={styles.meter}
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
