'use client';

import { useClock } from '@/contexts/ClockContext';
import { formatDateTime, formatFullDateTime, formatRelative, formatWhen } from '@/lib/presentation/format';

export type TimeStyle = 'when' | 'datetime' | 'relative';

/**
 * A moment in the reader's zone, with the full date, time and zone on hover. `when` (default): relative
 * while recent (`5 min ago`), a date after; `datetime`: always the date (`Dec 4, 14:03:07`);
 * `relative`: always relative.
 */
export function Time({
  epochMs,
  format = 'when',
  testId,
  seconds = false,
  timeZone: zone,
}: {
  epochMs: number | null;
  format?: TimeStyle;
  testId?: string;
  seconds?: boolean;
  /** Show it on this zone's clock instead of the reader's (a schedule's own zone). */
  timeZone?: string;
}) {
  const clock = useClock();
  if (epochMs === null) return <span data-testid={testId}>—</span>;
  const options = { now: clock.now, timeZone: zone ?? clock.timeZone };
  const text =
    format === 'relative'
      ? formatRelative(epochMs, clock.now)
      : format === 'datetime'
        ? formatDateTime(epochMs, { ...options, seconds })
        : formatWhen(epochMs, options);
  return (
    <time
      dateTime={new Date(epochMs).toISOString()}
      title={formatFullDateTime(epochMs, options.timeZone)}
      data-testid={testId}
    >
      {text}
    </time>
  );
}
