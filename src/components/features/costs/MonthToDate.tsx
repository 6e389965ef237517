import type { MonthToDateDto } from '@/lib/contracts/costs';
import { formatSpend } from '@/lib/presentation/format';

/** Spend so far this UTC month and the month-end forecast, with how the forecast was made. */
export function MonthToDate({ monthToDate }: { monthToDate: MonthToDateDto }) {
  const { month, spentUsd, forecastUsd, forecastDailyRateUsd, forecastWindowDays } = monthToDate;
  const basis =
    forecastDailyRateUsd === null
      ? 'Needs one full day of spend to forecast'
      : `At ${formatSpend(forecastDailyRateUsd)}/day, the average of the last ${forecastWindowDays} full days`;
  return (
    <div className="page-actions cost-stats">
      <div className="stat" title={`Spend recorded for ${month} (UTC)`}>
        <span className="stat-label">Spend this month</span>
        <span className="stat-value" data-testid="cost-month-to-date">
          {formatSpend(spentUsd)}
        </span>
      </div>
      <div className="stat" title={basis}>
        <span className="stat-label">Forecast for {month}</span>
        <span className="stat-value" data-testid="cost-forecast">
          {forecastUsd === null ? '—' : formatSpend(forecastUsd)}
        </span>
        <span className="muted small">{basis}</span>
      </div>
    </div>
  );
}
