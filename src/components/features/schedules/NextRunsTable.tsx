'use client';

import { useHydrated } from '@/hooks/useHydrated';
import { formatDateTime, formatZonedDateTime } from '@/lib/presentation/format';

/**
 * A schedule's next times, as the clocks of its own zone show them and in the reader's zone. The
 * reader's column fills in once the page runs in the browser (the server does not know the zone).
 */
export function NextRunsTable({ runs, timeZone }: { runs: readonly (string | number)[]; timeZone: string }) {
  const hydrated = useHydrated();
  if (runs.length === 0) {
    return (
      <p className="empty" data-testid="next-runs-empty">
        No next runs: the schedule is paused.
      </p>
    );
  }
  return (
    <table className="table next-runs" data-testid="next-runs">
      <thead>
        <tr>
          <th scope="col">In {timeZone}</th>
          <th scope="col">Your time</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const at = typeof run === 'number' ? run : Date.parse(run);
          return (
            <tr key={at} data-testid="next-run">
              <td className="mono" data-testid="next-run-zoned">
                {formatZonedDateTime(at, timeZone)}
              </td>
              <td className="mono" data-testid="next-run-local">
                {hydrated ? formatDateTime(at, 'local') : '…'}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
