import type { Metadata } from 'next';
import Link from 'next/link';
import { HealthReportView } from '@/components/features/health/HealthReportView';
import { HealthStatusBadge } from '@/components/features/health/HealthStatusBadge';
import { LocalTime } from '@/components/ui/LocalTime';
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
      <div className="page-head">
        <h1>Health reports</h1>
      </div>
      <section className="panel">
        {page.items.length === 0 ? (
          <p className="empty">No reports yet.</p>
        ) : (
          <ol className="health-list" data-testid="health-list">
            {page.items.map((report) => (
              <li key={report.id} data-testid="health-list-item">
                <p>
                  <HealthStatusBadge status={report.status} />{' '}
                  <Link href={`/executions/${report.executionId}`}>Run #{report.executionId}</Link>,{' '}
                  <LocalTime epochMs={report.createdAt} />
                </p>
                <HealthReportView report={report} />
              </li>
            ))}
          </ol>
        )}
        {page.nextBefore !== null ? (
          <Link href={`/health?before=${page.nextBefore}`}>Older reports</Link>
        ) : null}
      </section>
    </>
  );
}
