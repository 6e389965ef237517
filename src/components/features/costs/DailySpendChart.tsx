'use client';

import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Disclosure } from '@/components/ui/Disclosure';
import { useClock } from '@/contexts/ClockContext';
import type { DailySpendDto } from '@/lib/contracts/costs';
import { formatUsd, formatUtcDay } from '@/lib/presentation/format';
import styles from './Costs.module.css';

// Plain SVG in a fixed coordinate space that scales to the panel; text uses the page's own font.
const WIDTH = 900;
const HEIGHT = 170;
const PLOT_LEFT = 64;
const PLOT_RIGHT = WIDTH - 8;
const PLOT_TOP = 10;
const PLOT_BOTTOM = 146;

function chartSummary(days: readonly DailySpendDto[], now: number): string {
  const first = days[0]?.day;
  const last = days.at(-1)?.day;
  if (!first || !last) return 'No days.';
  const total = days.reduce((sum, day) => sum + day.costUsd, 0);
  const peak = days.reduce<DailySpendDto | undefined>(
    (top, day) => (day.costUsd > (top?.costUsd ?? 0) ? day : top),
    undefined,
  );
  const range = `${formatUtcDay(first, now)} to ${formatUtcDay(last, now)} (UTC)`;
  return peak
    ? `${range}: ${formatUsd(total)} in total, highest ${formatUsd(peak.costUsd)} on ${formatUtcDay(peak.day, now)}.`
    : `${range}: no spend.`;
}

/** Days to label on the axis: every day of a fortnight, else the first and then weeks (a month) or month starts. */
function labelledDays(days: readonly DailySpendDto[]): Set<string> {
  const step = days.length <= 14 ? 1 : days.length <= 31 ? 7 : null;
  return new Set(
    days
      .filter((day, i) => i === 0 || (step === null ? day.day.endsWith('-01') : i % step === 0))
      .map((day) => day.day),
  );
}

const figureColumns = (now: number): Columns<DailySpendDto> => [
  {
    id: 'day',
    header: 'Day (UTC)',
    meta: { primary: true },
    cell: ({ row }) => formatUtcDay(row.original.day, now),
  },
  {
    id: 'spend',
    header: 'Spend',
    meta: { align: 'end' },
    cell: ({ row }) => formatUsd(row.original.costUsd),
  },
];

/** The last days' spend as bars, each day's figure in its tooltip and in a table below. */
export function DailySpendChart({ days }: { days: readonly DailySpendDto[] }) {
  const { now } = useClock();
  const peak = Math.max(0, ...days.map((day) => day.costUsd));
  const slot = (PLOT_RIGHT - PLOT_LEFT) / Math.max(1, days.length);
  const height = (usd: number) => (peak === 0 ? 0 : Math.max(1, (usd / peak) * (PLOT_BOTTOM - PLOT_TOP)));
  const labelled = labelledDays(days);
  return (
    <figure className={styles.chart}>
      <svg
        className={styles.svg}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="daily-spend-title daily-spend-desc"
        data-testid="daily-spend-chart"
      >
        <title id="daily-spend-title">{`Daily spend, ${days.length} days`}</title>
        <desc id="daily-spend-desc">{chartSummary(days, now)}</desc>
        <line className={styles.grid} x1={PLOT_LEFT} x2={PLOT_RIGHT} y1={PLOT_TOP} y2={PLOT_TOP} />
        <line className={styles.axis} x1={PLOT_LEFT} x2={PLOT_RIGHT} y1={PLOT_BOTTOM} y2={PLOT_BOTTOM} />
        <text className={styles.label} x={PLOT_LEFT - 6} y={PLOT_TOP + 4} textAnchor="end">
          {formatUsd(peak)}
        </text>
        <text className={styles.label} x={PLOT_LEFT - 6} y={PLOT_BOTTOM + 4} textAnchor="end">
          $0
        </text>
        {days.map((day, i) => {
          const x = PLOT_LEFT + i * slot;
          const barHeight = day.costUsd > 0 ? height(day.costUsd) : 0;
          return (
            <g key={day.day} className={styles.day} data-testid="chart-day" data-day={day.day}>
              <title>{`${formatUtcDay(day.day, now)}: ${formatUsd(day.costUsd)}`}</title>
              <rect className={styles.hit} x={x} y={PLOT_TOP} width={slot} height={PLOT_BOTTOM - PLOT_TOP} />
              <rect
                className={styles.bar}
                x={x + slot * 0.1}
                y={PLOT_BOTTOM - barHeight}
                width={slot * 0.8}
                height={barHeight}
              />
              {labelled.has(day.day) ? (
                <text className={styles.label} x={x} y={HEIGHT - 6}>
                  {formatUtcDay(day.day, now)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Disclosure summary="Daily figures">
          <div className={styles.figures}>
            <DataTable
              data={days}
              columns={figureColumns(now)}
              getRowId={(day) => day.day}
              testId="daily-spend-table"
              label="Daily spend"
            />
          </div>
        </Disclosure>
      </figcaption>
    </figure>
  );
}
