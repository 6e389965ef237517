import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ScheduleView } from '@/components/features/schedules/ScheduleView';
import { Callout } from '@/components/ui/Callout';
import { isDomainError } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getStatusesOfFiredRuns } from '@/lib/db/queries/schedules';
import { getStore } from '@/lib/db/store';
import { scheduleTitle } from '@/lib/presentation/scheduleView';
import { localTimeZone } from '@/lib/scheduling/cron';
import { getSchedule, listFirings, listScheduleTargets } from '@/lib/scheduling/schedules';
import { pageBefore, parseIdParam } from '../../../_lib/params';

export const dynamic = 'force-dynamic';

const HISTORY_PAGE = 50;

interface SchedulePageProps {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

// Metadata and page share one read per request.
const loadSchedule = cache(async (idParam: string) => {
  const id = parseIdParam(idParam);
  if (id === undefined) return undefined;
  const store = getStore();
  try {
    return await execute(store, getSchedule(store, id));
  } catch (error) {
    if (isDomainError(error) && error.kind === 'not_found') return undefined;
    throw error;
  }
});

export async function generateMetadata({ params }: SchedulePageProps): Promise<Metadata> {
  const schedule = await loadSchedule((await params).id);
  return { title: schedule ? scheduleTitle(schedule) : 'Schedule not found' };
}

export default async function SchedulePage({ params, searchParams }: SchedulePageProps) {
  const schedule = await loadSchedule((await params).id);
  if (!schedule) notFound();
  const query = await searchParams;
  const before = pageBefore(query.before);
  const store = getStore();
  const page = await execute(
    store,
    listFirings(store, schedule.id, { limit: HISTORY_PAGE, ...(before !== undefined && { before }) }),
  );
  const statuses = await execute(store, getStatusesOfFiredRuns(store, page.items));
  return (
    <>
      {query.created === '1' ? (
        <Callout tone="ok" testId="schedule-created" as="p">
          Schedule created. Its runs appear below as they fire.
        </Callout>
      ) : null}
      <ScheduleView
        schedule={schedule}
        firings={page.items}
        olderBefore={page.nextBefore}
        paged={before !== undefined}
        runStatuses={statuses.runs}
        workflowRunStatuses={statuses.workflowRuns}
        targets={await execute(store, listScheduleTargets(store))}
        defaultTimeZone={localTimeZone()}
        renderedAt={Date.now()}
      />
    </>
  );
}
