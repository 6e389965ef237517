import Link from 'next/link';
import { Time } from '@/components/ui/Time';
import { HEALTH_REPORT_STATUSES, type HealthReportDto } from '@/lib/contracts/healthReports';
import styles from './Health.module.css';
import { HEALTH_LABELS } from './HealthStatusBadge';

/**
 * The last seven days' reports as coloured ticks, oldest first, each a link to its run: a legend
 * says what each colour is (with its count), and the strip's ends are dated.
 */
export function HealthHistory({ reports }: { reports: readonly HealthReportDto[] }) {
  const first = reports[0];
  const last = reports.at(-1);
  if (!first || !last) return null;
  const counts = HEALTH_REPORT_STATUSES.map((status) => ({
    status,
    count: reports.filter((report) => report.status === status).length,
  })).filter(({ count }) => count > 0);
  return (
    <div className={styles.history}>
      <span className={styles.historyLabel} id="health-history-label">
        Last 7 days · {reports.length} {reports.length === 1 ? 'report' : 'reports'}, oldest first
      </span>
      <ul className={styles.legend} aria-label="Reports by status" data-testid="health-legend">
        {counts.map(({ status, count }) => (
          <li key={status} data-status={status}>
            <span className={`${styles.swatch} ${styles[`tick-${status}`]}`} aria-hidden="true" />
            {HEALTH_LABELS[status]}: {count}
          </li>
        ))}
      </ul>
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
      <div className={styles.stripEnds}>
        <Time epochMs={first.createdAt} />
        {reports.length > 1 ? <Time epochMs={last.createdAt} /> : null}
      </div>
    </div>
  );
}
