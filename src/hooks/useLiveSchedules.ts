'use client';

import { useCallback, useState } from 'react';
import type { ScheduleDto, ScheduleFiringDto } from '@/lib/contracts/schedules';
import { applyFiring } from '@/lib/presentation/scheduleView';
import { useScheduleFirings } from './useScheduleFirings';

export interface LiveSchedules {
  schedules: ScheduleDto[];
  /** The answer to the page's own change (pause, edit). */
  replace(schedule: ScheduleDto): void;
  /** Firings the page's own "run now" answered (the same ones arrive live too; applied once). */
  record(firings: ScheduleFiringDto[]): void;
}

/**
 * Schedules as the server rendered them, kept live: each firing becomes its schedule's last one
 * and moves its next runs on.
 */
export function useLiveSchedules(initial: ScheduleDto[]): LiveSchedules {
  const [schedules, setSchedules] = useState(initial);
  const record = useCallback(
    (firings: ScheduleFiringDto[]) =>
      setSchedules((current) =>
        current.map((schedule) => firings.reduce((next, firing) => applyFiring(next, firing), schedule)),
      ),
    [],
  );
  useScheduleFirings(record);
  const replace = useCallback(
    (next: ScheduleDto) =>
      setSchedules((current) => current.map((schedule) => (schedule.id === next.id ? next : schedule))),
    [],
  );
  return { schedules, replace, record };
}
