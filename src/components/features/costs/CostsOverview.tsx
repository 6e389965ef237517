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
      <div className="page-head">
        <h1>Costs</h1>
        <MonthToDate monthToDate={monthToDate} />
      </div>
      <section className="panel" aria-labelledby="budgets-heading">
        <h2 id="budgets-heading">Budgets for {monthToDate.month}</h2>
        <BudgetBars budgets={overview.budgets} />
      </section>
      <section className="panel" aria-labelledby="daily-heading">
        <h2 id="daily-heading">Daily spend</h2>
        <DailySpendChart days={daily} />
      </section>
      <div className="cost-tables">
        <section className="panel" aria-labelledby="by-agent-heading">
          <h2 id="by-agent-heading">By agent</h2>
          <SpendByAgentTable agents={overview.byAgent} />
        </section>
        <section className="panel" aria-labelledby="by-model-heading">
          <h2 id="by-model-heading">By model</h2>
          <SpendByModelTable models={overview.byModel} />
        </section>
      </div>
      <section className="panel" aria-labelledby="top-heading">
        <h2 id="top-heading">Most expensive runs of {monthToDate.month}</h2>
        <TopExecutionsTable executions={overview.topExecutions} />
      </section>
      <section className="panel" aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <ExportForm
          defaultFrom={`${monthToDate.month}-01`}
          defaultTo={daily.at(-1)?.day ?? `${monthToDate.month}-01`}
        />
      </section>
    </>
  );
}
