'use client';

import Link from 'next/link';
import { ButtonLink } from '@/components/ui/Button';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { PageHeader } from '@/components/ui/PageHeader';
import { Empty, Panel } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import { useHealthReports } from '@/hooks/useHealthReports';
import type { HealthReportDto } from '@/lib/contracts/healthReports';
import styles from './Health.module.css';
import { HealthReportView } from './HealthReportView';
import { HealthRunNow } from './HealthRunNow';
import { HealthScheduleSwitch } from './HealthScheduleSwitch';
import { HealthStatusBadge } from './HealthStatusBadge';

export interface HealthOverviewProps {
  /** A page of reports, newest first. */
  reports: HealthReportDto[];
  /** Where the next page starts; null on the last. */
  nextBefore: number | null;
  /** Whether this is the first page (new reports join only that one). */
  firstPage: boolean;
  reporter: { id: number; name: string } | null;
  schedule: { id: number; enabled: boolean } | null;
}

function findingCounts(report: HealthReportDto): string {
  const findings = report.report?.findings ?? [];
  if (findings.length === 0) return '—';
  const by = (severity: string) => findings.filter((finding) => finding.severity === severity).length;
  return (['critical', 'warning', 'info'] as const)
    .map((severity) => [severity, by(severity)] as const)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`)
    .join(', ');
}

const historyColumns: Columns<HealthReportDto> = [
  {
    id: 'when',
    header: 'When',
    meta: { primary: true },
    cell: ({ row }) => <Time epochMs={row.original.createdAt} />,
  },
  {
    id: 'status',
    header: 'Status',
    cell: ({ row }) => <HealthStatusBadge status={row.original.status} />,
  },
  {
    id: 'summary',
    header: 'Summary',
    cell: ({ row }) => row.original.report?.summary ?? <span className="muted">no valid report</span>,
  },
  { id: 'findings', header: 'Findings', cell: ({ row }) => findingCounts(row.original) },
  {
    id: 'run',
    header: 'Run',
    meta: { shrink: true },
    cell: ({ row }) => (
      <Link href={`/executions/${row.original.executionId}`}>#{row.original.executionId}</Link>
    ),
  },
];

/** The health page: run the reporter now, its latest report in full, and every report before. */
export function HealthOverview({ reports, nextBefore, firstPage, reporter, schedule }: HealthOverviewProps) {
  // The hook keeps reports oldest first; new ones join only the first page.
  const live = useHealthReports([...reports].reverse(), firstPage ? (reporter?.id ?? null) : null);
  const newestFirst = [...live].reverse();
  const latest = firstPage ? newestFirst[0] : undefined;
  return (
    <>
      <PageHeader
        title="Health"
        description="The System Health Reporter reads this machine's metrics and files a report: its status, findings by severity and what to do."
        actions={
          <div className={styles.actions}>
            {schedule ? (
              <HealthScheduleSwitch scheduleId={schedule.id} initialEnabled={schedule.enabled} />
            ) : null}
            {reporter ? <HealthRunNow reporterId={reporter.id} /> : null}
          </div>
        }
      />
      {firstPage ? (
        <Panel
          title={<>Latest report {latest ? <HealthStatusBadge status={latest.status} /> : null}</>}
          testId="health-latest"
        >
          {latest ? (
            <>
              <p className={styles.meta}>
                <Link href={`/executions/${latest.executionId}`}>Run #{latest.executionId}</Link>,{' '}
                <Time epochMs={latest.createdAt} />
              </p>
              <HealthReportView report={latest} showRaw />
            </>
          ) : (
            <Empty testId="health-empty">No report yet. Press Run now, or switch on the hourly report.</Empty>
          )}
        </Panel>
      ) : null}
      <Panel title="History" count={newestFirst.length} testId="health-history">
        <DataTable
          data={newestFirst}
          columns={historyColumns}
          getRowId={(report) => String(report.executionId)}
          testId="health-list"
          label="Health reports, newest first"
          rowData={(report) => ({
            'data-testid': 'health-list-item',
            'data-status': report.status,
            'data-execution-id': report.executionId,
          })}
          empty={<Empty>No reports yet.</Empty>}
        />
        {nextBefore !== null ? (
          <p>
            <ButtonLink href={`/health?before=${nextBefore}`}>Older reports</ButtonLink>
          </p>
        ) : null}
      </Panel>
    </>
  );
}
