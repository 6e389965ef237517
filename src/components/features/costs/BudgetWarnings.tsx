import Link from 'next/link';
import { Callout } from '@/components/ui/Callout';
import type { BudgetStatusDto } from '@/lib/contracts/costs';
import { BUDGET_LEVEL_LABELS, budgetUsage } from './budgetText';

/** A notice of the budgets at 80 % or more this month; nothing while all are below. */
export function BudgetWarnings({ budgets }: { budgets: readonly BudgetStatusDto[] }) {
  const pressing = budgets.filter((budget) => budget.level !== 'ok');
  if (pressing.length === 0) return null;
  const exhausted = pressing.some((budget) => budget.level === 'exhausted');
  return (
    <Callout
      tone={exhausted ? 'error' : 'warn'}
      title={exhausted ? 'Budget exhausted' : 'Budget nearly spent'}
      testId="budget-warnings"
      as="section"
    >
      <ul>
        {pressing.map((budget) => (
          <li key={budget.agentId ?? 'global'} data-testid="budget-warning" data-level={budget.level}>
            <strong>{budget.name}</strong>: {budgetUsage(budget)} — {BUDGET_LEVEL_LABELS[budget.level]}
          </li>
        ))}
      </ul>
      <Link href="/costs">See costs</Link>
    </Callout>
  );
}
