import type { Metadata } from 'next';
import Link from 'next/link';
import { ScheduleForm } from '@/components/features/schedules/ScheduleForm';
import { ScheduleTable } from '@/components/features/schedules/ScheduleTable';
import { getDb } from '@/lib/db';
import { localTimeZone } from '@/lib/scheduling/cron';
import { listSchedules, listScheduleTargets } from '@/lib/scheduling/schedules';
import { pageBefore } from '../../_lib/params';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Schedules' };

const PAGE_SIZE = 100;

interface SchedulesPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function SchedulesPage({ searchParams }: SchedulesPageProps) {
  const db = getDb();
  const before = pageBefore((await searchParams).before);
  const page = listSchedules(db, { limit: PAGE_SIZE, ...(before !== undefined && { before }) });
  return (
    <>
      <div className="page-head">
        <h1>Schedules</h1>
        <div className="page-actions">
          <a href="#new-schedule" className="button button-primary" data-testid="new-schedule-link">
            New schedule
          </a>
        </div>
      </div>
      <section className="panel" aria-labelledby="schedules-heading">
        <div className="panel-head">
          <h2 id="schedules-heading">All schedules</h2>
          {before !== undefined ? <Link href="/schedules">Newest</Link> : null}
        </div>
        <ScheduleTable initial={page.items} />
        {page.nextBefore !== null ? (
          <p>
            <Link href={`/schedules?before=${page.nextBefore}`}>Older</Link>
          </p>
        ) : null}
      </section>
      <section className="panel" id="new-schedule" aria-labelledby="new-schedule-heading">
        <h2 id="new-schedule-heading">New schedule</h2>
        <ScheduleForm
          targets={listScheduleTargets(db)}
          defaultTimeZone={localTimeZone()}
          renderedAt={Date.now()}
        />
      </section>
    </>
  );
}
