'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { ButtonLink } from '@/components/ui/Button';
import { Callout } from '@/components/ui/Callout';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty, Panel } from '@/components/ui/Panel';
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
import { LastFiring, NextRun, ScheduleTarget } from './ScheduleTable';

/** Re-render the server's lists at most this often when firings of unknown schedules come in. */
const REFRESH_DEBOUNCE_MS = 500;

const overviewColumns: Columns<ScheduleDto> = [
  {
    id: 'name',
    header: 'Schedule',
    meta: { primary: true },
    cell: ({ row }) => <Link href={`/schedules/${row.original.id}`}>{scheduleTitle(row.original)}</Link>,
  },
  {
    id: 'when',
    header: 'When',
    cell: ({ row }) => <span className="muted">{row.original.description}</span>,
  },
  { id: 'target', header: 'Runs', cell: ({ row }) => <ScheduleTarget schedule={row.original} /> },
  { id: 'next', header: 'Next run', cell: ({ row }) => <NextRun schedule={row.original} /> },
  { id: 'last', header: 'Last outcome', cell: ({ row }) => <LastFiring schedule={row.original} /> },
];

function ScheduleRows({
  schedules,
  testId,
  label,
}: {
  schedules: readonly ScheduleDto[];
  testId: string;
  label: string;
}) {
  return (
    <DataTable
      data={schedules}
      columns={overviewColumns}
      getRowId={(schedule) => String(schedule.id)}
      testId={testId}
      label={label}
      rowData={(schedule) => ({ 'data-testid': 'overview-schedule', 'data-schedule-id': schedule.id })}
    />
  );
}

/**
 * The dashboard's schedules: the next ones to fire, and those whose last slot started nothing
 * (refused, skipped or missed), live: a firing moves its schedule on, or into the warnings.
 */
export function ScheduleOverview({
  upcoming,
  attention,
  pausedCount,
}: {
  upcoming: ScheduleDto[];
  attention: ScheduleDto[];
  /** Paused schedules: why nothing may be ahead. */
  pausedCount: number;
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
    <Panel
      title="Schedules"
      testId="schedule-overview"
      actions={
        <ButtonLink href="/schedules" data-testid="overview-schedules-link">
          All schedules
        </ButtonLink>
      }
    >
      {warnings.length > 0 ? (
        <Callout tone="warn" title="Last slot started nothing" testId="schedule-warnings">
          <ScheduleRows
            schedules={warnings}
            testId="attention-schedules"
            label="Schedules whose last slot started nothing"
          />
        </Callout>
      ) : null}
      {next.length > 0 ? (
        <>
          <ScheduleRows schedules={next} testId="upcoming-schedules" label="Next schedules to fire" />
          {pausedCount > 0 ? (
            <p className="muted small" data-testid="paused-schedules">
              <Link href="/schedules">{pausedCount} paused</Link>: they start nothing until resumed.
            </p>
          ) : null}
        </>
      ) : (
        <Empty testId="empty-upcoming">
          {pausedCount > 0 ? `Nothing ahead: ${pausedCount} paused. ` : 'Nothing scheduled. '}
          <Link href="/schedules">
            {pausedCount > 0 ? 'See the schedules' : 'Schedule an agent or a workflow'}
          </Link>
          .
        </Empty>
      )}
    </Panel>
  );
}
