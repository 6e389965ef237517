import { describe, expect, it } from 'vitest';
import type { ExecutionSummary } from '../../src/lib/contracts/executions';
import type { HostSample, MetricsWindowDto, RunBandDto } from '../../src/lib/contracts/metrics';
import { workerIdOf } from '../../src/lib/contracts/workers';
import { formatBytes, formatMetric, formatPercent } from '../../src/lib/presentation/format';
import {
  foldRun,
  foldSample,
  headlines,
  liveWindow,
  systemCharts,
} from '../../src/lib/presentation/metricsView';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 20, 12);

const share = (busy: number) => ({ busy, user: busy / 2, system: busy / 2, iowait: 0, steal: 0 });

/** A two-core machine with one disk and the given interfaces, busy as asked. */
function sample(
  t: number,
  busy: number,
  nics: { name: string; rx: number | null }[] = [{ name: 'eth0', rx: 100 }],
): HostSample {
  return {
    t,
    cpu: share(busy),
    cores: [
      { core: 0, ...share(busy) },
      { core: 1, ...share(busy) },
    ],
    load: { load1: 1, load5: 0.5, load15: 0.25 },
    memory: {
      totalBytes: 8_000,
      usedBytes: 2_000,
      availableBytes: 6_000,
      availableRatio: 0.75,
      cachedBytes: 1_000,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
    },
    pressure: { cpu: null, memory: null, io: null },
    filesystems: [
      {
        mountPoint: '/',
        device: '/dev/vda1',
        fsType: 'ext4',
        sizeBytes: 1_000,
        usedBytes: 400,
        availableBytes: 600,
        usedRatio: 0.4,
      },
      {
        mountPoint: '/data',
        device: '/dev/vdb1',
        fsType: 'ext4',
        sizeBytes: 1_000,
        usedBytes: 900,
        availableBytes: 100,
        usedRatio: 0.9,
      },
    ],
    disks: [],
    network: nics.map(({ name, rx }) => ({
      interface: name,
      rxBytesPerSecond: rx,
      txBytesPerSecond: rx,
      rxBytes: 0,
      txBytes: 0,
    })),
  };
}

const emptyWindow = (tier: MetricsWindowDto['tier'], stepMs: number): MetricsWindowDto => ({
  tier,
  stepMs,
  from: T0 - 10 * MINUTE,
  to: T0,
  t: [],
  series: [],
});

const column = (metrics: MetricsWindowDto, metric: string, entity = '') =>
  metrics.series.find((s) => s.metric === metric && s.entity === entity);

describe('foldSample', () => {
  it('adds a point per sample on the raw tier, once, in order, and drops what left the span', () => {
    let live = liveWindow(emptyWindow('raw', 5_000), 10_000);
    live = foldSample(live, sample(T0 + 5_000, 0.1));
    live = foldSample(live, sample(T0 + 10_000, 0.2));
    // A repeat and an older sample change nothing.
    expect(foldSample(live, sample(T0 + 10_000, 0.9))).toBe(live);
    expect(foldSample(live, sample(T0 + 5_000, 0.9))).toBe(live);
    live = foldSample(live, sample(T0 + 20_000, 0.3));

    expect(live.metrics.t).toEqual([T0 + 10_000, T0 + 20_000]);
    expect(live.metrics.from).toBe(T0 + 10_000);
    expect(live.metrics.to).toBe(T0 + 20_000);
    expect(column(live.metrics, 'cpu.busy')).toEqual({
      metric: 'cpu.busy',
      entity: '',
      avg: [0.2, 0.3],
      min: null,
      max: null,
    });
    expect(column(live.metrics, 'cpu.busy', '1')?.avg).toEqual([0.2, 0.3]);
  });

  it('folds samples into the bucket of a rollup tier: average, minimum and maximum', () => {
    let live = liveWindow(emptyWindow('1m', MINUTE), 60 * MINUTE);
    for (const [offset, busy] of [
      [0, 0.2],
      [20_000, 0.8],
      [40_000, 0.5],
      [MINUTE + 1_000, 0.1],
    ] as const)
      live = foldSample(live, sample(T0 + offset, busy));

    expect(live.metrics.t).toEqual([T0, T0 + MINUTE]);
    const busy = column(live.metrics, 'cpu.busy');
    expect(busy?.avg[0]).toBeCloseTo(0.5, 10);
    expect(busy?.min).toEqual([0.2, 0.1]);
    expect(busy?.max).toEqual([0.8, 0.1]);
    expect(busy?.avg[1]).toBe(0.1);
  });

  it('never folds into a bucket the server rolled up, and keeps series that appear later apart', () => {
    const metrics: MetricsWindowDto = {
      ...emptyWindow('1m', MINUTE),
      t: [T0],
      series: [{ metric: 'cpu.busy', entity: '', avg: [0.4], min: [0.1], max: [0.9] }],
    };
    const live = liveWindow(metrics, 60 * MINUTE);
    expect(foldSample(live, sample(T0 + 30_000, 1))).toBe(live);

    const next = foldSample(live, sample(T0 + MINUTE, 0.3, [{ name: 'wg0', rx: 50 }]));
    expect(column(next.metrics, 'cpu.busy')?.avg).toEqual([0.4, 0.3]);
    // The interface that appeared has no value before it did; one with no rate yet is not a 0.
    expect(column(next.metrics, 'net.rx', 'wg0')).toEqual({
      metric: 'net.rx',
      entity: 'wg0',
      avg: [null, 50],
      min: [null, 50],
      max: [null, 50],
    });
    const unknownRate = foldSample(next, sample(T0 + 2 * MINUTE, 0.3, [{ name: 'wg1', rx: null }]));
    expect(column(unknownRate.metrics, 'net.rx', 'wg1')).toBeUndefined();
    // The window it came from is left as it was.
    expect(metrics.t).toEqual([T0]);
    expect(metrics.series[0]?.avg).toEqual([0.4]);
  });
});

describe('systemCharts', () => {
  it('draws every chart the samples have, cores in numeric order and disk space as a share per mount', () => {
    let live = liveWindow(emptyWindow('raw', 5_000), 60 * MINUTE);
    live = foldSample(live, sample(T0, 0.5));
    const charts = systemCharts(live.metrics);

    // No disk I/O in these samples: that chart is left out rather than drawn empty.
    expect(charts.map((chart) => chart.id)).toEqual([
      'cpu',
      'cores',
      'memory',
      'load',
      'disk-space',
      'network',
    ]);
    const byId = new Map(charts.map((chart) => [chart.id, chart]));
    expect(byId.get('cores')?.lines.map((line) => line.label)).toEqual(['Core 0', 'Core 1']);
    expect(byId.get('disk-space')).toMatchObject({
      unit: 'ratio',
      lines: [
        { label: '/', values: [0.4] },
        { label: '/data', values: [0.9] },
      ],
    });
    expect(byId.get('network')?.lines.map((line) => line.label)).toEqual(['eth0 in', 'eth0 out']);
  });

  it('gives the dashboard CPU, memory and the fullest disk', () => {
    let live = liveWindow(emptyWindow('raw', 5_000), 60 * MINUTE);
    live = foldSample(live, sample(T0, 0.5));
    live = foldSample(live, sample(T0 + 5_000, 0.25));
    expect(headlines(live.metrics)).toEqual([
      { label: 'CPU', detail: '', current: 0.25, values: [0.5, 0.25] },
      { label: 'Memory', detail: '', current: 0.25, values: [0.25, 0.25] },
      { label: 'Disk', detail: '/data', current: 0.9, values: [0.9, 0.9] },
    ]);
    expect(headlines(emptyWindow('raw', 5_000)).map((h) => h.current)).toEqual([null, null, null]);
  });
});

describe('foldRun', () => {
  const HOST = 'build-1.example';
  const run = (
    id: number,
    startedAt: number | null,
    finishedAt: number | null,
    workerId: string | null = workerIdOf(HOST, 4242, '0a1b2c3d'),
  ): ExecutionSummary =>
    ({
      id,
      agentName: `agent ${id}`,
      status: finishedAt === null ? 'running' : 'completed',
      startedAt,
      finishedAt,
      workerId,
    }) as ExecutionSummary;
  const band = (id: number, startedAt: number, finishedAt: number | null): RunBandDto => ({
    id,
    agentName: `agent ${id}`,
    status: finishedAt === null ? 'running' : 'completed',
    startedAt,
    finishedAt,
  });

  it('adds a run once it starts, updates it when it ends, and forgets runs that ended before the window', () => {
    const from = T0;
    let runs = foldRun([band(1, T0 - 5 * MINUTE, T0 + MINUTE)], run(2, null, null), from, HOST);
    expect(runs.map((r) => r.id)).toEqual([1]);
    runs = foldRun(runs, run(2, T0 + 2 * MINUTE, null), from, HOST);
    runs = foldRun(runs, run(3, T0 + MINUTE, null), from, HOST);
    expect(runs.map((r) => r.id)).toEqual([1, 3, 2]);
    runs = foldRun(runs, run(2, T0 + 2 * MINUTE, T0 + 3 * MINUTE), from, HOST);
    expect(runs.find((r) => r.id === 2)).toEqual(band(2, T0 + 2 * MINUTE, T0 + 3 * MINUTE));
    expect(foldRun(runs, run(4, T0 - 9 * MINUTE, T0 - MINUTE), from, HOST).map((r) => r.id)).toEqual([
      1, 3, 2,
    ]);
    expect(foldRun(runs, run(5, T0, null), T0 + 2 * MINUTE, HOST).map((r) => r.id)).toEqual([5, 3, 2]);
  });

  it("draws only the host's runs: another host's is left out, and a run handed back or parked leaves", () => {
    const runs = foldRun([], run(1, T0, null), T0, HOST);
    // A host whose name holds dashes and digits, like this one's with a suffix: told apart.
    const elsewhere = workerIdOf(`${HOST}-2`, 17, 'ffffffff');
    expect(foldRun(runs, run(2, T0, null, elsewhere), T0, HOST).map((r) => r.id)).toEqual([1]);
    expect(foldRun(runs, run(1, T0, null, null), T0, HOST)).toEqual([]);
    expect(foldRun(runs, run(1, T0, null, elsewhere), T0, HOST)).toEqual([]);
  });
});

describe('host figures as text', () => {
  it.each([
    [0, 'ratio', '0%'],
    [0.042, 'ratio', '4.2%'],
    [0.5, 'ratio', '50%'],
    [1.234, 'load', '1.23'],
    [512, 'bytes', '512 B'],
    [1_536, 'bytes', '1.50 KiB'],
    [25 * 1024 ** 3, 'bytes', '25.0 GiB'],
    [300 * 1024 ** 2, 'bytes_per_second', '300 MiB/s'],
  ] as const)('%d as %s is %s', (value, unit, text) => {
    expect(formatMetric(value, unit)).toBe(text);
  });

  it('writes a run’s CPU, 100 being one core, as a percentage', () => {
    expect(formatPercent(187.5 / 100)).toBe('188%');
    expect(formatBytes(-2_048)).toBe('-2.00 KiB');
  });
});
