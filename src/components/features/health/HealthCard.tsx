'use client';

import Link from 'next/link';
import { RunButton } from '@/components/features/agents/RunButton';
import { Empty, Panel } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import { useHealthReports } from '@/hooks/useHealthReports';
import type { HealthReportDto } from '@/lib/contracts/healthReports';
import styles from './Health.module.css';
import { HealthHistory } from './HealthHistory';
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
    <Panel
      testId="health-card"
      title={<>Machine health {newest ? <HealthStatusBadge status={newest.status} /> : null}</>}
      actions={
        <div className={styles.actions}>
          {schedule ? (
            <HealthScheduleSwitch scheduleId={schedule.id} initialEnabled={schedule.enabled} />
          ) : null}
          {reporter ? <RunButton agentId={reporter.id} agentName={reporter.name} /> : null}
          <Link href="/health">All reports</Link>
        </div>
      }
    >
      {newest ? (
        <>
          <p className={styles.meta}>
            <Link href={`/executions/${newest.executionId}`}>Run #{newest.executionId}</Link>,{' '}
            <Time epochMs={newest.createdAt} />
          </p>
          <HealthReportView report={newest} />
        </>
      ) : (
        <Empty testId="health-empty">
          No report yet. Run the System Health Reporter, or switch on its hourly schedule.
        </Empty>
      )}
      <HealthHistory reports={reports} />
    </Panel>
  );
}
