'use client';

import Link from 'next/link';
import { Tag } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import { useLiveSchedules } from '@/hooks/useLiveSchedules';
import type { ScheduleDto, ScheduleFiringDto } from '@/lib/contracts/schedules';
import { scheduleTitle, targetHref, targetName } from '@/lib/presentation/scheduleView';
import { FiringOutcomeBadge } from './FiringOutcomeBadge';
import { ScheduleActions } from './ScheduleActions';
import styles from './Schedules.module.css';

/** What a schedule runs, linked to it. */
export function ScheduleTarget({ schedule }: { schedule: ScheduleDto }) {
  const href = targetHref(schedule);
  const kind = schedule.workflowId === null ? 'agent' : 'workflow';
  return (
    <span data-testid="schedule-target" data-target-kind={kind}>
      {href ? <Link href={href}>{targetName(schedule)}</Link> : targetName(schedule)}
      {kind === 'workflow' ? (
        <>
          {' '}
          <Tag>workflow</Tag>
        </>
      ) : null}
    </span>
  );
}

/** The expression, in words, and the zone it follows. */
export function ScheduleWhen({ schedule }: { schedule: ScheduleDto }) {
  return (
    <span className={styles.when}>
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
    <span className={styles.lastFiring} data-testid="schedule-last-firing" data-firing-id={firing.id}>
      <FiringOutcomeBadge outcome={firing.outcome} />
      <span className="small" data-testid="schedule-last-reason">
        {firing.reason}
      </span>
      <span className="muted small">
        <Time epochMs={firing.fireAt} />
      </span>
    </span>
  );
}

/** The next run's time, or a dash (paused, or no slot ahead). */
export function NextRun({ schedule }: { schedule: ScheduleDto }) {
  return schedule.nextRuns[0] ? <Time epochMs={Date.parse(schedule.nextRuns[0])} /> : <>—</>;
}

function columnsFor(
  showTarget: boolean,
  replace: (schedule: ScheduleDto) => void,
  record: (firings: ScheduleFiringDto[]) => void,
): Columns<ScheduleDto> {
  const columns: Columns<ScheduleDto> = [
    {
      id: 'name',
      header: 'Schedule',
      accessorFn: (schedule) => scheduleTitle(schedule).toLowerCase(),
      enableSorting: true,
      meta: { primary: true },
      cell: ({ row: { original: schedule } }) => (
        <span>
          <Link href={`/schedules/${schedule.id}`} data-testid="schedule-link">
            {scheduleTitle(schedule)}
          </Link>
          {schedule.enabled ? null : (
            <>
              {' '}
              <Tag>paused</Tag>
            </>
          )}
        </span>
      ),
    },
    {
      id: 'target',
      header: 'Runs',
      accessorFn: (schedule) => targetName(schedule).toLowerCase(),
      enableSorting: true,
      cell: ({ row }) => <ScheduleTarget schedule={row.original} />,
    },
    { id: 'when', header: 'When', cell: ({ row }) => <ScheduleWhen schedule={row.original} /> },
    {
      id: 'next',
      header: 'Next run',
      accessorFn: (schedule) =>
        schedule.nextRuns[0] ? Date.parse(schedule.nextRuns[0]) : Number.MAX_SAFE_INTEGER,
      enableSorting: true,
      meta: { testId: 'schedule-next-run' },
      cell: ({ row }) => <NextRun schedule={row.original} />,
    },
    { id: 'last', header: 'Last outcome', cell: ({ row }) => <LastFiring schedule={row.original} /> },
    {
      id: 'actions',
      header: () => <span className="visually-hidden">Actions</span>,
      meta: { align: 'end', shrink: true, bare: true },
      cell: ({ row }) => (
        <ScheduleActions schedule={row.original} onChanged={replace} onFired={(firing) => record([firing])} />
      ),
    },
  ];
  return showTarget ? columns : columns.filter((column) => column.id !== 'target');
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
  return (
    <DataTable
      data={schedules}
      columns={columnsFor(showTarget, replace, record)}
      getRowId={(schedule) => String(schedule.id)}
      testId="schedule-list"
      label="Schedules"
      rowData={(schedule) => ({
        'data-testid': 'schedule-row',
        'data-schedule-id': schedule.id,
        'data-enabled': schedule.enabled,
      })}
      empty={<Empty testId="empty-schedules">No schedules yet.</Empty>}
    />
  );
}
