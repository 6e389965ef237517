'use client';

import Link from 'next/link';
import { RunButton } from '@/components/features/agents/RunButton';
import { LocalTime } from '@/components/ui/LocalTime';
import { useHealthReports } from '@/hooks/useHealthReports';
import type { HealthReportDto } from '@/lib/contracts/healthReports';
import { HealthReportView } from './HealthReportView';
import { HealthScheduleSwitch } from './HealthScheduleSwitch';
import { HealthStatusBadge } from './HealthStatusBadge';

export interface HealthCardProps {
  /** The reports of the last seven days, oldest first. */
  recent: HealthReportDto[];
  /** The newest report ever, when none is that recent. */
  latest: HealthReportDto | null;
  reporter: { id: number; name: string } | null;
  schedule: { id: number; enabled: boolean } | null;
}

/** The machine's health on the dashboard: the latest report, the last seven days at a glance, the switch. */
export function HealthCard({ recent, latest, reporter, schedule }: HealthCardProps) {
  const reports = useHealthReports(recent, reporter?.id ?? null);
  const newest = reports.at(-1) ?? latest;
  return (
    <section className="panel health-card" aria-labelledby="health-heading" data-testid="health-card">
      <div className="panel-head">
        <h2 id="health-heading">
          Machine health {newest ? <HealthStatusBadge status={newest.status} /> : null}
        </h2>
        <div className="health-actions">
          {schedule ? (
            <HealthScheduleSwitch scheduleId={schedule.id} initialEnabled={schedule.enabled} />
          ) : null}
          {reporter ? <RunButton agentId={reporter.id} agentName={reporter.name} /> : null}
          <Link href="/health">All reports</Link>
        </div>
      </div>
      {newest ? (
        <>
          <p className="muted small">
            <Link href={`/executions/${newest.executionId}`}>Run #{newest.executionId}</Link>,{' '}
            <LocalTime epochMs={newest.createdAt} />
          </p>
          <HealthReportView report={newest} />
        </>
      ) : (
        <p className="empty" data-testid="health-empty">
          No report yet. Run the System Health Reporter, or switch on its hourly schedule.
        </p>
      )}
      {reports.length > 0 ? (
        <ol className="health-strip" aria-label="Reports of the last seven days" data-testid="health-strip">
          {reports.map((report) => (
            <li key={report.executionId}>
              <Link
                href={`/executions/${report.executionId}`}
                className={`health-tick health-tick-${report.status}`}
                title={`Run #${report.executionId}: ${report.status === 'invalid' ? 'no valid report' : report.status}`}
                data-testid="health-tick"
                data-status={report.status}
              >
                <span className="visually-hidden">
                  Run #{report.executionId}: {report.status}
                </span>
              </Link>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
