'use client';

import { useHydrated } from '@/hooks/useHydrated';
import { formatDateTime } from '@/lib/presentation/format';

/** A timestamp in the reader's time zone; UTC in the server's HTML until the page hydrates. */
export function LocalTime({ epochMs, testId }: { epochMs: number | null; testId?: string }) {
  const hydrated = useHydrated();
  if (epochMs === null) return <span data-testid={testId}>—</span>;
  return (
    <time dateTime={new Date(epochMs).toISOString()} data-testid={testId}>
      {formatDateTime(epochMs, hydrated ? 'local' : 'utc')}
    </time>
  );
}
