import type { BudgetLevel, BudgetStatusDto } from '@/lib/contracts/costs';
import { formatPercent, formatUsd } from '@/lib/presentation/format';

export const BUDGET_LEVEL_LABELS: Record<BudgetLevel, string> = {
  ok: 'within budget',
  warning: 'nearly spent',
  exhausted: 'exhausted',
};

/** `$2.40 of $3.00 (80%)`; the share rounds down, so 79.9% never reads as the 80% warning line. */
export function budgetUsage(budget: BudgetStatusDto): string {
  const share = formatPercent(Math.floor(budget.fraction * 100) / 100);
  return `${formatUsd(budget.spentUsd)} of ${formatUsd(budget.budgetUsd)} (${share})`;
}
