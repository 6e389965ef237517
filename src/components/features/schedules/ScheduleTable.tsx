'use client';

import Link from 'next/link';
import { LocalTime } from '@/components/ui/LocalTime';
import { useLiveSchedules } from '@/hooks/useLiveSchedules';
import type { ScheduleDto } from '@/lib/contracts/schedules';
import { scheduleTitle, targetHref, targetName } from '@/lib/presentation/scheduleView';
import { FiringOutcomeBadge } from './FiringOutcomeBadge';
import { ScheduleActions } from './ScheduleActions';

/** What a schedule runs, linked to it. */
export function ScheduleTarget({ schedule }: { schedule: ScheduleDto }) {
  const href = targetHref(schedule);
  const kind = schedule.workflowId === null ? 'agent' : 'workflow';
  return (
    <span data-testid="schedule-target" data-target-kind={kind}>
      {href ? <Link href={href}>{targetName(schedule)}</Link> : targetName(schedule)}
      {kind === 'workflow' ? <span className="tag">workflow</span> : null}
    </span>
  );
}

/** The expression, in words, and the zone it follows. */
export function ScheduleWhen({ schedule }: { schedule: ScheduleDto }) {
  return (
    <span className="schedule-when">
      <code data-testid="schedule-expression">{schedule.cronExpression}</code>
      <span className="muted small" data-testid="schedule-description">
        {schedule.description} ({schedule.timezone})
      </span>
    </span>
  );
}

/** The last firing: its outcome and why, in words. */
export function LastFiring({ schedule }: { schedule: ScheduleDto }) {
  const firing = schedule.lastFiring;
  if (!firing) return <span className="muted">Not fired yet</span>;
  return (
    <span className="last-firing" data-testid="schedule-last-firing" data-firing-id={firing.id}>
      <FiringOutcomeBadge outcome={firing.outcome} />{' '}
      <span className="small" data-testid="schedule-last-reason">
        {firing.reason}
      </span>{' '}
      <span className="muted small">
        <LocalTime epochMs={firing.fireAt} />
      </span>
    </span>
  );
}

/** Schedules as rows, live: each firing shows as its schedule's last outcome, and its next run moves on. */
export function ScheduleTable({
  initial,
  showTarget = true,
}: {
  initial: ScheduleDto[];
  showTarget?: boolean;
}) {
  const { schedules, replace, record } = useLiveSchedules(initial);
  if (schedules.length === 0) {
    return (
      <p className="empty" data-testid="empty-schedules">
        No schedules yet.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="schedule-list">
        <thead>
          <tr>
            <th scope="col">Schedule</th>
            {showTarget ? <th scope="col">Runs</th> : null}
            <th scope="col">When</th>
            <th scope="col">Next run</th>
            <th scope="col">Last outcome</th>
            <th scope="col" className="actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {schedules.map((schedule) => (
            <tr
              key={schedule.id}
              data-testid="schedule-row"
              data-schedule-id={schedule.id}
              data-enabled={schedule.enabled}
            >
              <td>
                <Link href={`/schedules/${schedule.id}`} data-testid="schedule-link">
                  {scheduleTitle(schedule)}
                </Link>
                {schedule.enabled ? null : <span className="tag">paused</span>}
              </td>
              {showTarget ? (
                <td>
                  <ScheduleTarget schedule={schedule} />
                </td>
              ) : null}
              <td>
                <ScheduleWhen schedule={schedule} />
              </td>
              <td data-testid="schedule-next-run">
                {schedule.nextRuns[0] ? <LocalTime epochMs={Date.parse(schedule.nextRuns[0])} /> : '—'}
              </td>
              <td>
                <LastFiring schedule={schedule} />
              </td>
              <td className="actions">
                <ScheduleActions
                  schedule={schedule}
                  onChanged={replace}
                  onFired={(firing) => record([firing])}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
