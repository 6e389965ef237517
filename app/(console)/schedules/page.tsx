import type { Metadata } from 'next';
import Link from 'next/link';
import { ScheduleForm } from '@/components/features/schedules/ScheduleForm';
import { ScheduleTable } from '@/components/features/schedules/ScheduleTable';
import { buttonClassName } from '@/components/ui/Button';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { getStore } from '@/lib/db/store';
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
  const before = pageBefore((await searchParams).before);
  const store = getStore();
  const page = await execute(
    store,
    listSchedules(store, { limit: PAGE_SIZE, ...(before !== undefined && { before }) }),
  );
  return (
    <>
      <PageHeader
        title="Schedules"
        description="Agents and workflows that run by the clock, in the time zone each one names."
        actions={
          <a
            href="#new-schedule"
            className={buttonClassName({ variant: 'primary' })}
            data-testid="new-schedule-link"
          >
            New schedule
          </a>
        }
      />
      <Panel
        title="All schedules"
        actions={before !== undefined ? <Link href="/schedules">Newest</Link> : null}
      >
        <ScheduleTable initial={page.items} />
        {page.nextBefore !== null ? (
          <p>
            <Link href={`/schedules?before=${page.nextBefore}`}>Older</Link>
          </p>
        ) : null}
      </Panel>
      <div id="new-schedule">
        <Panel title="New schedule">
          <ScheduleForm
            targets={await execute(store, listScheduleTargets(store))}
            defaultTimeZone={localTimeZone()}
            renderedAt={Date.now()}
          />
        </Panel>
      </div>
    </>
  );
}
