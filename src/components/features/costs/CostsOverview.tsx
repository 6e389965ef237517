import { Callout } from '@/components/ui/Callout';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel, PanelGrid } from '@/components/ui/Panel';
import type { CostOverviewDto, CostRange, RangeSpendDto } from '@/lib/contracts/costs';
import { formatUsd } from '@/lib/presentation/format';
import { BudgetBars } from './BudgetBars';
import { CostRangePicker } from './CostRangePicker';
import { DailySpendChart } from './DailySpendChart';
import { ExportForm } from './ExportForm';
import { MonthToDate } from './MonthToDate';
import { SpendByModelTable } from './SpendByModelTable';
import { TargetSpendTable } from './TargetSpendTable';
import { TopExecutionsTable } from './TopExecutionsTable';

/**
 * The costs page: this UTC month's spend and budgets; over the range picked (7, 30, 90 days, this
 * month or custom) the daily spend and where it went by agent, schedule and workflow; the month's
 * models and most expensive runs; the export.
 */
export function CostsOverview({
  overview,
  range,
  spend,
  rangeIssue,
}: {
  overview: CostOverviewDto;
  range: CostRange;
  spend: RangeSpendDto;
  /** Why the range in the URL was not used (the default is shown instead). */
  rangeIssue: string | null;
}) {
  const { monthToDate } = overview;
  return (
    <>
      <PageHeader title="Costs" actions={<MonthToDate monthToDate={monthToDate} />} />
      <Panel title={`Budgets for ${monthToDate.month}`}>
        <BudgetBars budgets={overview.budgets} />
      </Panel>
      <Panel
        title="Spend over a range"
        testId="cost-range"
        data={{ 'data-first': spend.days.first, 'data-last': spend.days.last }}
      >
        <CostRangePicker range={range} days={spend.days} />
        {rangeIssue ? (
          <Callout tone="error" as="p" testId="cost-range-issue">
            {rangeIssue}
          </Callout>
        ) : null}
        <p className="muted small" data-testid="cost-range-total">
          {formatUsd(spend.total)} in {spend.daily.length} {spend.daily.length === 1 ? 'day' : 'days'} (UTC)
        </p>
        <DailySpendChart days={spend.daily} />
      </Panel>
      <PanelGrid>
        <Panel title="By agent">
          <TargetSpendTable kind="agent" rows={spend.byAgent} />
        </Panel>
        <Panel title="By schedule">
          <TargetSpendTable kind="schedule" rows={spend.bySchedule} />
        </Panel>
        <Panel title="By workflow">
          <TargetSpendTable kind="workflow" rows={spend.byWorkflow} />
        </Panel>
      </PanelGrid>
      <Panel title={`By model, ${monthToDate.month}`}>
        <SpendByModelTable models={overview.byModel} />
      </Panel>
      <Panel title={`Most expensive runs of ${monthToDate.month}`}>
        <TopExecutionsTable executions={overview.topExecutions} />
      </Panel>
      <Panel title="Export">
        <ExportForm defaultFrom={spend.days.first} defaultTo={spend.days.last} />
      </Panel>
    </>
  );
}
