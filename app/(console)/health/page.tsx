import type { Metadata } from 'next';
import Link from 'next/link';
import healthStyles from '@/components/features/health/Health.module.css';
import { HealthReportView } from '@/components/features/health/HealthReportView';
import { HealthStatusBadge } from '@/components/features/health/HealthStatusBadge';
import { ButtonLink } from '@/components/ui/Button';
import { PageHeader } from '@/components/ui/PageHeader';
import { Empty, Panel } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import { getDb } from '@/lib/db';
import { listHealthReports } from '@/lib/health/reports';
import { parseIdParam } from '../../_lib/params';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Health reports' };

const PAGE_SIZE = 25;

/** Every report of the System Health Reporter, newest first, a page at a time. */
export default async function HealthPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const { before } = await searchParams;
  const beforeId = before === undefined ? undefined : parseIdParam(before);
  const page = listHealthReports(getDb(), { limit: PAGE_SIZE, ...(beforeId ? { before: beforeId } : {}) });
  return (
    <>
      <PageHeader title="Health reports" />
      <Panel>
        {page.items.length === 0 ? (
          <Empty>No reports yet.</Empty>
        ) : (
          <ol className={healthStyles.list} data-testid="health-list">
            {page.items.map((report) => (
              <li key={report.id} data-testid="health-list-item">
                <p>
                  <HealthStatusBadge status={report.status} />{' '}
                  <Link href={`/executions/${report.executionId}`}>Run #{report.executionId}</Link>,{' '}
                  <Time epochMs={report.createdAt} />
                </p>
                <HealthReportView report={report} />
              </li>
            ))}
          </ol>
        )}
        {page.nextBefore !== null ? (
          <p>
            <ButtonLink href={`/health?before=${page.nextBefore}`}>Older reports</ButtonLink>
          </p>
        ) : null}
      </Panel>
    </>
  );
}
