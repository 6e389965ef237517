import Link from 'next/link';
import type { HealthReportDto } from '@/lib/contracts/healthReports';
import styles from './Health.module.css';
import { HEALTH_LABELS } from './HealthStatusBadge';

/** The last seven days' reports as coloured ticks, oldest first, each a link to its run. */
export function HealthHistory({ reports }: { reports: readonly HealthReportDto[] }) {
  if (reports.length === 0) return null;
  return (
    <div className={styles.history}>
      <span className={styles.historyLabel} id="health-history-label">
        Last 7 days · {reports.length} {reports.length === 1 ? 'report' : 'reports'}, oldest first
      </span>
      <ol className={styles.strip} aria-labelledby="health-history-label" data-testid="health-strip">
        {reports.map((report) => (
          <li key={report.executionId}>
            <Link
              href={`/executions/${report.executionId}`}
              className={`${styles.tick} ${styles[`tick-${report.status}`]}`}
              title={`Run #${report.executionId}: ${HEALTH_LABELS[report.status]}`}
              data-testid="health-tick"
              data-status={report.status}
            >
              <span className="visually-hidden">
                Run #{report.executionId}: {HEALTH_LABELS[report.status]}
              </span>
            </Link>
          </li>
        ))}
      </ol>
    </div>
  );
}
