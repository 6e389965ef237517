'use client';

import { useMemo, useState } from 'react';
import { HostPicker } from '@/components/features/metrics/HostPicker';
import { type ChartScale, type ChartSeries, TimeChart } from '@/components/features/metrics/TimeChart';
import { Button, ButtonGroup } from '@/components/ui/Button';
import { Empty, Panel } from '@/components/ui/Panel';
import { usePolled } from '@/hooks/usePolled';
import {
  HOST_LOAD_RANGES,
  type HostLoadDto,
  type HostLoadRange,
  hostLoadSchema,
} from '@/lib/contracts/workers';
import { formatDuration } from '@/lib/presentation/format';
import { METRIC_RANGE_LABELS } from '@/lib/presentation/metricsView';

/** Its workers beat every 5 s: the chart reads again at every other beat. */
const HOST_LOAD_REFRESH_MS = 10_000;

const SCALES: ChartScale[] = [
  { key: 'share', unit: 'ratio' },
  { key: 'load', unit: 'load', side: 'right' },
];

function seriesOf(load: HostLoadDto): ChartSeries[] {
  return [
    { label: 'CPU busy', values: load.cpuBusy, scale: 'share' },
    { label: 'Memory used', values: load.memoryUsed, scale: 'share' },
    { label: 'Data disk used', values: load.diskUsed, scale: 'share' },
    { label: 'Load (1 min)', values: load.load1, scale: 'load' },
  ];
}

/**
 * A worker host's load over the last hour or day, from the figures its workers send with each
 * beat (kept a day): the host is picked from those on the Workers page, this server's first.
 */
export function HostLoad({ hosts, initialHost }: { hosts: readonly string[]; initialHost: string }) {
  const [picked, setPicked] = useState(initialHost);
  const [range, setRange] = useState<HostLoadRange>('1h');
  // Without this server's host (it runs no agents), the newest worker's, once one is listed. A
  // host that left the list stays picked: its day of figures is still there.
  const host = picked || hosts[0] || '';
  const path = host ? `/api/workers/load?${new URLSearchParams({ host, range })}` : null;
  const load = usePolled(path, hostLoadSchema, HOST_LOAD_REFRESH_MS);
  const series = useMemo(() => (load ? seriesOf(load) : []), [load]);
  const xRange = useMemo(() => (load ? ([load.from, load.to] as const) : undefined), [load]);
  const choices = hosts.includes(host) ? hosts : [host, ...hosts];
  return (
    <Panel
      title="Host load"
      testId="host-load"
      data={{ 'data-host': host, 'data-range': range, 'data-points': load?.t.length }}
      actions={
        <>
          <HostPicker hosts={choices} value={host} onChange={setPicked} testId="host-load-host" />
          <ButtonGroup label="Time range">
            {HOST_LOAD_RANGES.map((option) => (
              <Button
                key={option}
                size="small"
                aria-pressed={option === range}
                onClick={() => setRange(option)}
                data-testid={`host-load-range-${option}`}
              >
                {METRIC_RANGE_LABELS[option]}
              </Button>
            ))}
          </ButtonGroup>
        </>
      }
    >
      {!host ? (
        <Empty>No worker has reported its host yet.</Empty>
      ) : !load ? (
        <p className="muted">Loading…</p>
      ) : load.t.length === 0 ? (
        <Empty testId="host-load-empty">
          No figures from {host} in the last {METRIC_RANGE_LABELS[range]}: none of its workers beat then.
        </Empty>
      ) : (
        <>
          <p className="muted" data-testid="host-load-caption">
            Last {METRIC_RANGE_LABELS[range]} on {host}, a point every {formatDuration(load.stepMs)}: the
            average of its workers' beats.
          </p>
          <TimeChart
            label={`Load of ${host}, last ${METRIC_RANGE_LABELS[range]}: CPU busy, memory used, data disk used, load`}
            xKind="time"
            x={load.t}
            series={series}
            scales={SCALES}
            xRange={xRange}
            testId="host-load-chart"
          />
        </>
      )}
    </Panel>
  );
}
