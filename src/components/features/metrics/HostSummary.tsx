'use client';

import Link from 'next/link';
import { useHostMetrics } from '@/hooks/useHostMetrics';
import type { MetricsWindowDto } from '@/lib/contracts/metrics';
import { formatPercent } from '@/lib/presentation/format';
import { type Column, headlines } from '@/lib/presentation/metricsView';
import styles from './HostSummary.module.css';

const WIDTH = 120;
const HEIGHT = 48;

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
  const minutes = Math.round(spanMs / 60_000);
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
            {sparklinePaths(metrics.t, headline.values, metrics.from, metrics.to).map((points) => (
              <polyline key={points} points={points} />
            ))}
          </svg>
          <span className={styles.span}>last {minutes} min, 0–100%</span>
        </Link>
      ))}
    </section>
  );
}
