'use client';

import Link from 'next/link';
import { useHostMetrics } from '@/hooks/useHostMetrics';
import type { MetricsWindowDto } from '@/lib/contracts/metrics';
import { formatPercent } from '@/lib/presentation/format';
import { type Column, headlines } from '@/lib/presentation/metricsView';
import styles from './HostSummary.module.css';

const WIDTH = 240;
const HEIGHT = 72;
/** Horizontal guides, as shares: a flat line at 15% reads against them. */
const GUIDES = [0.25, 0.5, 0.75];

/** A share's history as polylines (a gap where there was no sample), 0 at the bottom, 100% at the top. */
function sparklinePaths(t: readonly number[], values: Column, from: number, to: number): string[] {
  const span = Math.max(1, to - from);
  const paths: string[] = [];
  let current: string[] = [];
  values.forEach((value, i) => {
    const at = t[i];
    if (value === null || value === undefined || at === undefined) {
      if (current.length > 0) paths.push(current.join(' '));
      current = [];
      return;
    }
    const x = ((at - from) / span) * WIDTH;
    const y = HEIGHT - Math.min(1, Math.max(0, value)) * HEIGHT;
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (current.length > 0) paths.push(current.join(' '));
  return paths;
}

/** The dashboard's CPU, memory and disk figures, each with its last minutes as a sparkline, live. */
export function HostSummary({ initial, spanMs }: { initial: MetricsWindowDto; spanMs: number }) {
  const { live } = useHostMetrics(initial, spanMs);
  const { metrics } = live;
  // The line starts where the samples do: a server up for two minutes fills the box, not its right edge.
  const from = Math.max(metrics.from, metrics.t[0] ?? metrics.from);
  const minutes = Math.max(1, Math.round((metrics.to - from) / 60_000));
  const spanMinutes = Math.round(spanMs / 60_000);
  return (
    <section className={styles.summary} aria-label="This machine" data-testid="host-summary">
      {headlines(metrics).map((headline) => (
        <Link
          key={headline.label}
          href="/system"
          className={styles.stat}
          data-testid={`host-${headline.label.toLowerCase()}`}
        >
          <span className={styles.label}>
            {headline.label}
            {headline.detail ? ` ${headline.detail}` : ''}
          </span>
          <span className={styles.value} data-testid="host-stat-value">
            {headline.current === null ? '—' : formatPercent(headline.current)}
          </span>
          <svg
            className={styles.sparkline}
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={`${headline.label}, last ${minutes} minutes`}
            data-points={headline.values.filter((value) => value !== null).length}
          >
            {GUIDES.map((share) => (
              <line
                key={share}
                className={styles.guide}
                x1={0}
                x2={WIDTH}
                y1={HEIGHT - share * HEIGHT}
                y2={HEIGHT - share * HEIGHT}
              />
            ))}
            {sparklinePaths(metrics.t, headline.values, from, metrics.to).map((points) => (
              <polyline key={points} points={points} />
            ))}
          </svg>
          <span className={styles.span}>
            <span>
              last {minutes} min{minutes < spanMinutes ? ' (since the first sample)' : ''}
            </span>
            <span>0–100%, a line every 25%</span>
          </span>
        </Link>
      ))}
    </section>
  );
}
