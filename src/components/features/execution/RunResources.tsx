'use client';

import { useMemo } from 'react';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Disclosure } from '@/components/ui/Disclosure';
import { Fact, Facts } from '@/components/ui/Facts';
import { Empty, Panel } from '@/components/ui/Panel';
import type { StepDto } from '@/lib/contracts/executions';
import type { ExecutionResourcesDto, RunResourceSample } from '@/lib/contracts/runResources';
import { formatBytes, formatOffset, formatPercent } from '@/lib/presentation/format';
import { runResourceColumns } from '@/lib/presentation/metricsView';
import { type ChartBand, type ChartScale, TimeChart } from '../metrics/TimeChart';
import styles from './Execution.module.css';
import { pairToolSteps } from './StepTimeline';

const SCALES: ChartScale[] = [
  { key: 'cpu', unit: 'percent' },
  { key: 'memory', unit: 'bytes', side: 'right' },
];

/** Each tool call as a band from its call to its result (or to now, while it runs), in seconds since `baseMs`. */
function toolBands(steps: readonly StepDto[], baseMs: number, end: number): ChartBand[] {
  return pairToolSteps(steps).flatMap((row) =>
    row.kind === 'tool'
      ? [
          {
            key: String(row.use.seq),
            label: row.use.summary,
            from: (row.use.createdAt - baseMs) / 1_000,
            to: row.result ? (row.result.createdAt - baseMs) / 1_000 : end,
          },
        ]
      : [],
  );
}

const sampleColumns = (baseMs: number): Columns<RunResourceSample> => [
  {
    id: 't',
    header: 'Since start',
    meta: { primary: true },
    cell: ({ row }) => formatOffset(row.original.t, baseMs),
  },
  {
    id: 'cpu',
    header: 'CPU',
    meta: { align: 'end' },
    cell: ({ row }) => formatPercent(row.original.cpuPercent / 100),
  },
  {
    id: 'rss',
    header: 'Memory (RSS)',
    meta: { align: 'end' },
    cell: ({ row }) => formatBytes(row.original.rssBytes),
  },
  {
    id: 'processes',
    header: 'Processes',
    meta: { align: 'end' },
    cell: ({ row }) => row.original.processCount,
  },
];

/**
 * What the run's process tree used, on the step timeline's time base (seconds since the run
 * started), with its tool calls drawn as bands: a CPU or memory climb lines up with the step
 * that caused it.
 */
export function RunResources({
  resources,
  steps,
  baseMs,
  running,
}: {
  resources: ExecutionResourcesDto | undefined;
  steps: readonly StepDto[];
  baseMs: number;
  running: boolean;
}) {
  const samples = resources?.samples ?? [];
  const summary = resources?.summary ?? null;
  const columns = useMemo(() => runResourceColumns(samples, baseMs), [samples, baseMs]);
  // The chart moves with its samples (every 2 s) and when the run ends, not with each step: drawn
  // again for every step of a busy run, it was most of the live page's drawing (bench/liveRuns.ts).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the steps are read when a sample arrives or the run ends
  const chartSteps = useMemo(() => steps, [samples, running]);
  const lastStep = chartSteps.at(-1);
  const end = Math.max(columns.seconds.at(-1) ?? 0, lastStep ? (lastStep.createdAt - baseMs) / 1_000 : 0);
  const bands = useMemo(() => toolBands(chartSteps, baseMs, end), [chartSteps, baseMs, end]);
  const series = useMemo(
    () => [
      { label: 'CPU', values: columns.cpuPercent, scale: 'cpu' },
      { label: 'Memory (RSS)', values: columns.rssBytes, scale: 'memory' },
    ],
    [columns],
  );
  const xRange = useMemo(() => [0, Math.max(1, end)] as const, [end]);

  return (
    <Panel
      title="Resources"
      testId="run-resources"
      actions={
        summary ? (
          <Facts>
            <Fact label="CPU time" testId="run-cpu-seconds">
              {summary.cpuSeconds.toFixed(1)} s
            </Fact>
            <Fact label="Peak memory" testId="run-peak-rss">
              {formatBytes(summary.peakRssBytes)}
            </Fact>
            <Fact label="Peak processes" testId="run-peak-processes">
              {summary.peakProcessCount}
            </Fact>
          </Facts>
        ) : null
      }
    >
      {samples.length === 0 ? (
        <Empty testId="run-resources-empty">
          {running
            ? 'No sample yet: the run’s processes are measured every 2 s.'
            : 'Not measured: the run ended before its processes were first sampled.'}
        </Empty>
      ) : (
        <figure className={styles.figure}>
          <TimeChart
            label={`CPU and memory of run processes over ${Math.round(end)} s, tool calls shaded`}
            xKind="offset"
            x={columns.seconds}
            series={series}
            scales={SCALES}
            xRange={xRange}
            bands={bands}
            height={200}
            testId="run-resource-chart"
          />
          <figcaption>
            <Disclosure summary={`Samples (${samples.length})`}>
              <div className={styles.samples}>
                <DataTable
                  data={samples}
                  columns={sampleColumns(baseMs)}
                  getRowId={(sample) => String(sample.t)}
                  testId="run-resource-table"
                  label="Resource samples"
                />
              </div>
            </Disclosure>
          </figcaption>
        </figure>
      )}
    </Panel>
  );
}
