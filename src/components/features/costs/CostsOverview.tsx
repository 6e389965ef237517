import { PageHeader } from '@/components/ui/PageHeader';
import { Panel, PanelGrid } from '@/components/ui/Panel';
import type { CostOverviewDto } from '@/lib/contracts/costs';
import { BudgetBars } from './BudgetBars';
import { DailySpendChart } from './DailySpendChart';
import { ExportForm } from './ExportForm';
import { MonthToDate } from './MonthToDate';
import { SpendByAgentTable } from './SpendByAgentTable';
import { SpendByModelTable } from './SpendByModelTable';
import { TopExecutionsTable } from './TopExecutionsTable';

/** The costs page: this UTC month's spend, where it went, the budgets, and the export. */
export function CostsOverview({ overview }: { overview: CostOverviewDto }) {
  const { monthToDate, daily } = overview;
  return (
    <>
      <PageHeader title="Costs" actions={<MonthToDate monthToDate={monthToDate} />} />
      <Panel title={`Budgets for ${monthToDate.month}`}>
        <BudgetBars budgets={overview.budgets} />
      </Panel>
      <Panel title="Daily spend">
        <DailySpendChart days={daily} />
      </Panel>
      <PanelGrid>
        <Panel title="By agent">
          <SpendByAgentTable agents={overview.byAgent} />
        </Panel>
        <Panel title="By model">
          <SpendByModelTable models={overview.byModel} />
        </Panel>
      </PanelGrid>
      <Panel title={`Most expensive runs of ${monthToDate.month}`}>
        <TopExecutionsTable executions={overview.topExecutions} />
      </Panel>
      <Panel title="Export">
        <ExportForm
          defaultFrom={`${monthToDate.month}-01`}
          defaultTo={daily.at(-1)?.day ?? `${monthToDate.month}-01`}
        />
      </Panel>
    </>
  );
}
