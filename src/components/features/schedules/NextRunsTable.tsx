'use client';

import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';

/**
 * A schedule's next times, as the clocks of its own zone show them and in the reader's zone (the
 * server renders the reader's once the browser told it the zone).
 */
export function NextRunsTable({ runs, timeZone }: { runs: readonly (string | number)[]; timeZone: string }) {
  const times = runs.map((run) => (typeof run === 'number' ? run : Date.parse(run)));
  const columns: Columns<number> = [
    {
      id: 'zoned',
      header: `In ${timeZone}`,
      meta: { testId: 'next-run-zoned', primary: true },
      cell: ({ row }) => <Time epochMs={row.original} format="datetime" seconds timeZone={timeZone} />,
    },
    {
      id: 'local',
      header: 'Your time',
      meta: { testId: 'next-run-local' },
      cell: ({ row }) => <Time epochMs={row.original} format="datetime" seconds />,
    },
  ];
  return (
    <DataTable
      data={times}
      columns={columns}
      getRowId={(at) => String(at)}
      testId="next-runs"
      label="Next runs"
      rowData={(at) => ({ 'data-testid': 'next-run', 'data-at': at })}
      empty={<Empty testId="next-runs-empty">No next runs: the schedule is paused.</Empty>}
    />
  );
}
