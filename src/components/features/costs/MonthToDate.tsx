import { Stat } from '@/components/ui/Stat';
import type { MonthToDateDto } from '@/lib/contracts/costs';
import { formatUsd } from '@/lib/presentation/format';
import styles from './Costs.module.css';

/** Spend so far this UTC month and the month-end forecast, with how the forecast was made. */
export function MonthToDate({ monthToDate }: { monthToDate: MonthToDateDto }) {
  const { month, spentUsd, forecastUsd, forecastDailyRateUsd, forecastWindowDays } = monthToDate;
  const basis =
    forecastDailyRateUsd === null
      ? 'Needs one full day of spend to forecast'
      : `At ${formatUsd(forecastDailyRateUsd)}/day, the average of the last ${forecastWindowDays} full days`;
  return (
    <div className={styles.stats}>
      <Stat label="Spend this month" testId="cost-month-to-date" title={`Spend recorded for ${month} (UTC)`}>
        {formatUsd(spentUsd)}
      </Stat>
      <Stat label={`Forecast for ${month}`} testId="cost-forecast" note={basis} title={basis}>
        {forecastUsd === null ? '—' : formatUsd(forecastUsd)}
      </Stat>
    </div>
  );
}
