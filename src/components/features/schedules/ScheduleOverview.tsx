'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { LocalTime } from '@/components/ui/LocalTime';
import { useScheduleFirings } from '@/hooks/useScheduleFirings';
import type { ScheduleDto } from '@/lib/contracts/schedules';
import {
  ATTENTION_LIMIT,
  applyFiring,
  byNextRun,
  mergeSchedules,
  needsAttention,
  scheduleTitle,
  UPCOMING_LIMIT,
} from '@/lib/presentation/scheduleView';
import { LastFiring, ScheduleTarget } from './ScheduleTable';

/** Re-render the server's lists at most this often when firings of unknown schedules come in. */
const REFRESH_DEBOUNCE_MS = 500;

function ScheduleRows({ schedules, testId }: { schedules: readonly ScheduleDto[]; testId: string }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Schedule</th>
            <th scope="col">Runs</th>
            <th scope="col">Next run</th>
            <th scope="col">Last outcome</th>
          </tr>
        </thead>
        <tbody>
          {schedules.map((schedule) => (
            <tr key={schedule.id} data-testid="overview-schedule" data-schedule-id={schedule.id}>
              <td>
                <Link href={`/schedules/${schedule.id}`}>{scheduleTitle(schedule)}</Link>
                <div className="muted small">{schedule.description}</div>
              </td>
              <td>
                <ScheduleTarget schedule={schedule} />
              </td>
              <td>{schedule.nextRuns[0] ? <LocalTime epochMs={Date.parse(schedule.nextRuns[0])} /> : '—'}</td>
              <td>
                <LastFiring schedule={schedule} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The dashboard's schedules: the next ones to fire, and those whose last slot started nothing
 * (refused, skipped or missed), live: a firing moves its schedule on, or into the warnings.
 */
export function ScheduleOverview({
  upcoming,
  attention,
}: {
  upcoming: ScheduleDto[];
  attention: ScheduleDto[];
}) {
  const router = useRouter();
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [known, setKnown] = useState(() => mergeSchedules(upcoming, attention));
  // A refresh brings the server's lists again (schedules created since this page was rendered).
  useEffect(
    () => setKnown((current) => mergeSchedules(current, [...upcoming, ...attention])),
    [upcoming, attention],
  );
  useScheduleFirings((firings) => {
    setKnown((current) => current.map((schedule) => firings.reduce(applyFiring, schedule)));
    // A schedule this page has not seen: only the server knows it; ask for the lists again, once.
    if (firings.some((firing) => !known.some((schedule) => schedule.id === firing.scheduleId))) {
      clearTimeout(refreshTimer.current);
      refreshTimer.current = setTimeout(() => router.refresh(), REFRESH_DEBOUNCE_MS);
    }
  });
  const next = known
    .filter((schedule) => schedule.nextRuns.length > 0)
    .sort(byNextRun)
    .slice(0, UPCOMING_LIMIT);
  const warnings = known
    .filter(needsAttention)
    .sort((a, b) => b.id - a.id)
    .slice(0, ATTENTION_LIMIT);

  return (
    <section className="panel" aria-labelledby="schedules-heading" data-testid="schedule-overview">
      <div className="panel-head">
        <h2 id="schedules-heading">Schedules</h2>
        <Link href="/schedules" className="button" data-testid="overview-schedules-link">
          All schedules
        </Link>
      </div>
      {warnings.length > 0 ? (
        <div className="callout callout-warn" data-testid="schedule-warnings">
          <h4>Last slot started nothing</h4>
          <ScheduleRows schedules={warnings} testId="attention-schedules" />
        </div>
      ) : null}
      {next.length > 0 ? (
        <ScheduleRows schedules={next} testId="upcoming-schedules" />
      ) : (
        <p className="empty" data-testid="empty-upcoming">
          Nothing scheduled. <Link href="/schedules">Schedule an agent or a workflow</Link>.
        </p>
      )}
    </section>
  );
}
