import Link from 'next/link';
import type { BudgetStatusDto } from '@/lib/contracts/costs';
import { BUDGET_LEVEL_LABELS, budgetUsage } from './budgetText';

/** A notice of the budgets at 80 % or more this month; nothing while all are below. */
export function BudgetWarnings({ budgets }: { budgets: readonly BudgetStatusDto[] }) {
  const pressing = budgets.filter((budget) => budget.level !== 'ok');
  if (pressing.length === 0) return null;
  const exhausted = pressing.some((budget) => budget.level === 'exhausted');
  return (
    <section
      className={`callout ${exhausted ? 'callout-error' : 'callout-warn'}`}
      role="status"
      aria-labelledby="budget-warnings-heading"
      data-testid="budget-warnings"
    >
      <h2 id="budget-warnings-heading">{exhausted ? 'Budget exhausted' : 'Budget nearly spent'}</h2>
      <ul className="budget-warnings">
        {pressing.map((budget) => (
          <li key={budget.agentId ?? 'global'} data-testid="budget-warning" data-level={budget.level}>
            <strong>{budget.name}</strong>: {budgetUsage(budget)} — {BUDGET_LEVEL_LABELS[budget.level]}
          </li>
        ))}
      </ul>
      <Link href="/costs">See costs</Link>
    </section>
  );
}
