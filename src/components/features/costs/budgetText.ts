import type { BudgetLevel, BudgetStatusDto } from '@/lib/contracts/costs';
import { formatSpend } from '@/lib/presentation/format';

export const BUDGET_LEVEL_LABELS: Record<BudgetLevel, string> = {
  ok: 'within budget',
  warning: 'nearly spent',
  exhausted: 'exhausted',
};

/** `$2.40 of $3.00 (80 %)` */
export function budgetUsage(budget: BudgetStatusDto): string {
  return `${formatSpend(budget.spentUsd)} of ${formatSpend(budget.budgetUsd)} (${Math.floor(budget.fraction * 100)} %)`;
}
