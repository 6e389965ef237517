import type { DailySpendDto } from '@/lib/contracts/costs';
import { formatSpend } from '@/lib/presentation/format';

// Plain SVG in a fixed coordinate space that scales to the panel; text uses the page's own font.
const WIDTH = 900;
const HEIGHT = 170;
const PLOT_LEFT = 64;
const PLOT_RIGHT = WIDTH - 8;
const PLOT_TOP = 10;
const PLOT_BOTTOM = 146;

function chartSummary(days: readonly DailySpendDto[]): string {
  const first = days[0]?.day;
  const last = days.at(-1)?.day;
  const total = days.reduce((sum, day) => sum + day.costUsd, 0);
  const peak = days.reduce<DailySpendDto | undefined>(
    (top, day) => (day.costUsd > (top?.costUsd ?? 0) ? day : top),
    undefined,
  );
  const range = `${first} to ${last} (UTC)`;
  return peak
    ? `${range}: ${formatSpend(total)} in total, highest ${formatSpend(peak.costUsd)} on ${peak.day}.`
    : `${range}: no spend.`;
}

/** The last days' spend as bars, each day's figure in its tooltip and in a table below. */
export function DailySpendChart({ days }: { days: readonly DailySpendDto[] }) {
  const peak = Math.max(0, ...days.map((day) => day.costUsd));
  const slot = (PLOT_RIGHT - PLOT_LEFT) / Math.max(1, days.length);
  const height = (usd: number) => (peak === 0 ? 0 : Math.max(1, (usd / peak) * (PLOT_BOTTOM - PLOT_TOP)));
  return (
    <figure className="chart">
      <svg
        className="chart-svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="daily-spend-title daily-spend-desc"
        data-testid="daily-spend-chart"
      >
        <title id="daily-spend-title">{`Daily spend, last ${days.length} days`}</title>
        <desc id="daily-spend-desc">{chartSummary(days)}</desc>
        <line className="chart-grid" x1={PLOT_LEFT} x2={PLOT_RIGHT} y1={PLOT_TOP} y2={PLOT_TOP} />
        <line className="chart-axis" x1={PLOT_LEFT} x2={PLOT_RIGHT} y1={PLOT_BOTTOM} y2={PLOT_BOTTOM} />
        <text className="chart-label" x={PLOT_LEFT - 6} y={PLOT_TOP + 4} textAnchor="end">
          {formatSpend(peak)}
        </text>
        <text className="chart-label" x={PLOT_LEFT - 6} y={PLOT_BOTTOM + 4} textAnchor="end">
          $0
        </text>
        {days.map((day, i) => {
          const x = PLOT_LEFT + i * slot;
          const barHeight = day.costUsd > 0 ? height(day.costUsd) : 0;
          return (
            <g key={day.day} className="chart-day" data-testid="chart-day" data-day={day.day}>
              <title>{`${day.day}: ${formatSpend(day.costUsd)}`}</title>
              <rect className="chart-hit" x={x} y={PLOT_TOP} width={slot} height={PLOT_BOTTOM - PLOT_TOP} />
              <rect
                className="chart-bar"
                x={x + slot * 0.1}
                y={PLOT_BOTTOM - barHeight}
                width={slot * 0.8}
                height={barHeight}
              />
              {/* Month starts label the axis: two or three of them, never crowded. */}
              {day.day.endsWith('-01') ? (
                <text className="chart-label" x={x} y={HEIGHT - 6}>
                  {day.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <details>
          <summary>Daily figures</summary>
          <div className="table-wrap chart-table">
            <table className="table" data-testid="daily-spend-table">
              <thead>
                <tr>
                  <th scope="col">Day (UTC)</th>
                  <th scope="col" className="num">
                    Spend
                  </th>
                </tr>
              </thead>
              <tbody>
                {days.map((day) => (
                  <tr key={day.day}>
                    <td className="mono">{day.day}</td>
                    <td className="num">{formatSpend(day.costUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </figcaption>
    </figure>
  );
}
