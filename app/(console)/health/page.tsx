import type { Metadata } from 'next';
import { HealthOverview } from '@/components/features/health/HealthOverview';
import { getStore } from '@/lib/db/store';
import { listHealthReports } from '@/lib/health/reports';
import { healthControls } from '../../_lib/healthControls';
import { parseIdParam } from '../../_lib/params';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Health' };

const PAGE_SIZE = 25;

/** The System Health Reporter: run it now, its latest report, every report a page at a time. */
export default async function HealthPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const { before } = await searchParams;
  const beforeId = before === undefined ? undefined : parseIdParam(before);
  const page = await listHealthReports(getStore(), {
    limit: PAGE_SIZE,
    ...(beforeId ? { before: beforeId } : {}),
  });
  return (
    <HealthOverview
      reports={page.items}
      nextBefore={page.nextBefore}
      firstPage={beforeId === undefined}
      {...(await healthControls(getStore()))}
    />
  );
}
