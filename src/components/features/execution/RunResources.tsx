'use client';

import { useMemo } from 'react';
import type { StepDto } from '@/lib/contracts/executions';
import type { ExecutionResourcesDto } from '@/lib/contracts/runResources';
import { formatBytes, formatOffset } from '@/lib/presentation/format';
import { runResourceColumns } from '@/lib/presentation/metricsView';
import { type ChartBand, type ChartScale, TimeChart } from '../metrics/TimeChart';
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
    <section className="panel run-resources" aria-labelledby="resources-heading" data-testid="run-resources">
      <div className="panel-head">
        <h2 id="resources-heading">Resources</h2>
        {summary ? (
          <dl className="run-resources-summary">
            <div>
              <dt>CPU time</dt>
              <dd data-testid="run-cpu-seconds">{summary.cpuSeconds.toFixed(1)} s</dd>
            </div>
            <div>
              <dt>Peak memory</dt>
              <dd data-testid="run-peak-rss">{formatBytes(summary.peakRssBytes)}</dd>
            </div>
            <div>
              <dt>Peak processes</dt>
              <dd data-testid="run-peak-processes">{summary.peakProcessCount}</dd>
            </div>
          </dl>
        ) : null}
      </div>
      {samples.length === 0 ? (
        <p className="empty" data-testid="run-resources-empty">
          {running
            ? 'No sample yet: the run’s processes are measured every 2 s.'
            : 'Not measured: the run ended before its processes were first sampled.'}
        </p>
      ) : (
        <figure className="chart">
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
            <details>
              <summary>Samples ({samples.length})</summary>
              <div className="table-wrap chart-table">
                <table className="table" data-testid="run-resource-table">
                  <thead>
                    <tr>
                      <th>Since start</th>
                      <th className="num">CPU</th>
                      <th className="num">Memory (RSS)</th>
                      <th className="num">Processes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {samples.map((sample) => (
                      <tr key={sample.t}>
                        <td>{formatOffset(sample.t, baseMs)}</td>
                        <td className="num">{sample.cpuPercent.toFixed(0)}%</td>
                        <td className="num">{formatBytes(sample.rssBytes)}</td>
                        <td className="num">{sample.processCount}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </figcaption>
        </figure>
      )}
    </section>
  );
}
