import type { ExecutionSummary } from '@/lib/contracts/executions';
import {
  diskUsedShare,
  type HostMetric,
  type HostSample,
  isVirtualInterface,
  type MetricRange,
  type MetricSeriesDto,
  type MetricsWindowDto,
  type MetricUnit,
  type RunBandDto,
  sampleSeries,
} from '@/lib/contracts/metrics';
import type { RunResourceSample } from '@/lib/contracts/runResources';
import { workerIdParts } from '@/lib/contracts/workers';

/**
 * Pure state of the metric charts: a window read from the server, kept live by folding the
 * `metrics` topic's samples into it, and the models the charts draw from it.
 */

/** A chart's range, in words: on the buttons and in the caption ("Last 24 hours"). */
export const METRIC_RANGE_LABELS: Record<MetricRange | 'custom', string> = {
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  '90d': '90 days',
  '1y': '1 year',
  custom: 'Custom',
};

export type Column = (number | null)[];

/** A window kept live: the server's rows, then live samples folded into buckets of its step. */
export interface LiveWindow<W extends MetricsWindowDto = MetricsWindowDto> {
  metrics: W;
  /** How long the window spans: older points drop off as new ones arrive. */
  spanMs: number;
  /**
   * Samples folded into the last bucket so far, by series key, while that bucket is still open
   * (it was opened by a live sample); empty when the last bucket came from the server.
   */
  open: ReadonlyMap<string, number>;
  /** Live samples are folded in: false for a window that ends in the past. */
  follows: boolean;
}

const keyOf = (metric: HostMetric, entity: string) => `${metric}\0${entity}`;

export function liveWindow<W extends MetricsWindowDto>(
  metrics: W,
  spanMs: number,
  follows = true,
): LiveWindow<W> {
  return { metrics, spanMs, open: new Map(), follows };
}

/** The bucket a sample falls in: itself on the raw tier, else the start of its step. */
function bucketOf(metrics: MetricsWindowDto, t: number): number {
  return metrics.tier === 'raw' ? t : Math.floor(t / metrics.stepMs) * metrics.stepMs;
}

function emptySeries(metric: HostMetric, entity: string, length: number, raw: boolean): MetricSeriesDto {
  const nulls = () => new Array<number | null>(length).fill(null);
  return { metric, entity, avg: nulls(), min: raw ? null : nulls(), max: raw ? null : nulls() };
}

/** A copy of a column, one point longer when a bucket is being appended. */
const grow = (column: Column, appending: boolean): Column => (appending ? [...column, null] : column.slice());

/**
 * Folds one live sample into the window: a new point on the raw tier, or into the bucket of the
 * window's step (averaged, with its minimum and maximum) on a rollup tier. Samples the window
 * already holds, or older ones, change nothing; points older than the span drop off.
 */
export function foldSample<W extends MetricsWindowDto>(
  live: LiveWindow<W>,
  sample: HostSample,
): LiveWindow<W> {
  const { metrics } = live;
  if (!live.follows) return live;
  const raw = metrics.tier === 'raw';
  const bucket = bucketOf(metrics, sample.t);
  const last = metrics.t.at(-1);
  if (last !== undefined && (bucket < last || (bucket === last && live.open.size === 0))) return live;

  const appending = bucket !== last;
  const t = appending ? [...metrics.t, bucket] : metrics.t;
  const index = t.length - 1;
  const series = metrics.series.map((s) => ({
    ...s,
    avg: grow(s.avg, appending),
    min: s.min && grow(s.min, appending),
    max: s.max && grow(s.max, appending),
  }));
  const position = new Map(series.map((s, i) => [keyOf(s.metric, s.entity), i]));
  const open = new Map(appending ? [] : live.open);
  for (const { metric, entity, value } of sampleSeries(sample)) {
    const key = keyOf(metric, entity);
    let current = series[position.get(key) ?? -1];
    if (!current) {
      // A series first seen live (an interface that just appeared).
      current = emptySeries(metric, entity, t.length, raw);
      position.set(key, series.length);
      series.push(current);
    }
    const count = open.get(key) ?? 0;
    open.set(key, count + 1);
    const { avg, min, max } = current;
    avg[index] = count === 0 ? value : ((avg[index] ?? value) * count + value) / (count + 1);
    if (min) min[index] = count === 0 ? value : Math.min(min[index] ?? value, value);
    if (max) max[index] = count === 0 ? value : Math.max(max[index] ?? value, value);
  }
  // A raw point is one sample: it is complete as soon as it is there.
  if (raw) open.clear();
  const to = Math.max(metrics.to, sample.t);
  return trim({ ...live, metrics: { ...metrics, t, series, to }, open });
}

/**
 * Drops the points that fell out of the span, so a page left open does not grow. The window
 * keeps starting where its data does while that is later than the span's start.
 */
function trim<W extends MetricsWindowDto>(live: LiveWindow<W>): LiveWindow<W> {
  const { metrics, spanMs } = live;
  const from = Math.max(metrics.from, metrics.to - spanMs);
  const firstKept = Math.ceil(from / metrics.stepMs) * metrics.stepMs;
  const drop = metrics.t.findIndex((t) => t >= (metrics.tier === 'raw' ? from : firstKept));
  const count = drop === -1 ? metrics.t.length : drop;
  if (count === 0) return { ...live, metrics: { ...metrics, from } };
  const cut = (column: Column | null) => (column ? column.slice(count) : null);
  return {
    ...live,
    metrics: {
      ...metrics,
      from,
      t: metrics.t.slice(count),
      series: metrics.series.map((s) => ({ ...s, avg: cut(s.avg) ?? [], min: cut(s.min), max: cut(s.max) })),
    },
  };
}

/** Adds a run of `host` to the bands once it has started, or updates it; runs that ended before the window are left out. */
export function foldRun(
  runs: readonly RunBandDto[],
  execution: ExecutionSummary,
  from: number,
  host: string,
): RunBandDto[] {
  const { id, agentName, status, startedAt, finishedAt, workerId } = execution;
  if (startedAt === null) return runs.slice();
  // A band is a run with a process on this host (getRunBands): handed back or parked, it leaves.
  if (workerId === null || workerIdParts(workerId)?.host !== host) return runs.filter((run) => run.id !== id);
  const band = { id, agentName, status, startedAt, finishedAt };
  const kept = runs.filter((run) => run.id !== id && (run.finishedAt === null || run.finishedAt >= from));
  if (finishedAt !== null && finishedAt < from) return kept;
  return [...kept, band].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
}

/** One line of a chart. */
export interface ChartLine {
  label: string;
  values: Column;
}

export interface ChartModel {
  id: string;
  title: string;
  unit: MetricUnit;
  lines: ChartLine[];
}

function find(metrics: MetricsWindowDto, metric: HostMetric, entity = ''): MetricSeriesDto | undefined {
  return metrics.series.find((s) => s.metric === metric && s.entity === entity);
}

function entities(metrics: MetricsWindowDto, metric: HostMetric): string[] {
  const found = metrics.series.filter((s) => s.metric === metric && s.entity !== '').map((s) => s.entity);
  return [...new Set(found)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function line(metrics: MetricsWindowDto, label: string, metric: HostMetric, entity = ''): ChartLine[] {
  const series = find(metrics, metric, entity);
  return series ? [{ label, values: series.avg }] : [];
}

/** used / size per point, null where either is missing or the size is 0. */
function ratioColumn(used: Column, size: Column): Column {
  return used.map((value, i) => {
    const total = size[i];
    return value === null || total === null || total === undefined || total === 0 ? null : value / total;
  });
}

/** Every file system's share in use, by mount point, as `df` gives it (diskUsedShare). */
function diskSpaceLines(metrics: MetricsWindowDto): ChartLine[] {
  return entities(metrics, 'fs.used').flatMap((mount) => {
    const used = find(metrics, 'fs.used', mount)?.avg;
    const size = find(metrics, 'fs.size', mount)?.avg;
    const available = find(metrics, 'fs.available', mount)?.avg;
    if (!used || !size) return [];
    const values = used.map((value, i) => {
      const total = size[i];
      if (value === null || total === null || total === undefined) return null;
      return diskUsedShare(value, available?.[i] ?? null, total);
    });
    return [{ label: mount, values }];
  });
}

/** The interfaces the window has series for, each marked virtual or not (see isVirtualInterface). */
export function networkInterfaces(
  metrics: MetricsWindowDto,
  latest: HostSample | null,
): { name: string; virtual: boolean }[] {
  const known = new Map(latest?.network.map((nic) => [nic.interface, nic.virtual]));
  return entities(metrics, 'net.rx').map((name) => ({
    name,
    virtual: isVirtualInterface(name, known.get(name)),
  }));
}

/**
 * The system page's charts, in the order they are shown. A chart without any line is left out;
 * interfaces in `hiddenInterfaces` are left off the network chart.
 */
export function systemCharts(
  metrics: MetricsWindowDto,
  hiddenInterfaces: ReadonlySet<string> = new Set(),
): ChartModel[] {
  const charts: ChartModel[] = [
    {
      id: 'cpu',
      title: 'CPU',
      unit: 'ratio',
      lines: [
        ...line(metrics, 'Busy', 'cpu.busy'),
        ...line(metrics, 'User', 'cpu.user'),
        ...line(metrics, 'System', 'cpu.system'),
        ...line(metrics, 'I/O wait', 'cpu.iowait'),
        ...line(metrics, 'Steal', 'cpu.steal'),
      ],
    },
    {
      id: 'cores',
      title: 'CPU per core',
      unit: 'ratio',
      lines: entities(metrics, 'cpu.busy').flatMap((core) => line(metrics, `Core ${core}`, 'cpu.busy', core)),
    },
    {
      id: 'memory',
      title: 'Memory',
      unit: 'bytes',
      lines: [
        ...line(metrics, 'Used', 'memory.used'),
        ...line(metrics, 'Cached', 'memory.cached'),
        ...line(metrics, 'Total', 'memory.total'),
        ...line(metrics, 'Swap used', 'swap.used'),
      ],
    },
    {
      id: 'load',
      title: 'Load average',
      unit: 'load',
      lines: [
        ...line(metrics, '1 min', 'load.1'),
        ...line(metrics, '5 min', 'load.5'),
        ...line(metrics, '15 min', 'load.15'),
      ],
    },
    { id: 'disk-space', title: 'Disk space used', unit: 'ratio', lines: diskSpaceLines(metrics) },
    {
      id: 'disk-io',
      title: 'Disk I/O',
      unit: 'bytes_per_second',
      lines: entities(metrics, 'disk.read').flatMap((device) => [
        ...line(metrics, `${device} read`, 'disk.read', device),
        ...line(metrics, `${device} write`, 'disk.write', device),
      ]),
    },
    {
      id: 'network',
      title: 'Network',
      unit: 'bytes_per_second',
      lines: entities(metrics, 'net.rx')
        .filter((nic) => !hiddenInterfaces.has(nic))
        .flatMap((nic) => [
          ...line(metrics, `${nic} in`, 'net.rx', nic),
          ...line(metrics, `${nic} out`, 'net.tx', nic),
        ]),
    },
  ];
  return charts.filter((chart) => chart.lines.length > 0);
}

/** The metrics the dashboard's summary reads. */
export const HEADLINE_METRICS: HostMetric[] = [
  'cpu.busy',
  'memory.used',
  'memory.total',
  'fs.used',
  'fs.size',
  'fs.available',
];

export interface Headline {
  label: string;
  /** What the figure is of, e.g. the mount point; '' when obvious. */
  detail: string;
  /** The latest share, 0–1; null before the first sample. */
  current: number | null;
  /** One value per point of the window, for the sparkline. */
  values: Column;
}

/** The dashboard's CPU, memory and disk figures: each a share 0–1, the disk the fullest file system. */
export function headlines(metrics: MetricsWindowDto): Headline[] {
  const latest = (values: Column) => {
    for (let i = values.length - 1; i >= 0; i--) {
      const value = values[i];
      if (value !== null && value !== undefined) return value;
    }
    return null;
  };
  const cpu = find(metrics, 'cpu.busy')?.avg ?? [];
  const used = find(metrics, 'memory.used');
  const total = find(metrics, 'memory.total');
  const memory = used && total ? ratioColumn(used.avg, total.avg) : [];
  const disks = diskSpaceLines(metrics);
  const fullest = disks.reduce<ChartLine | undefined>(
    (top, disk) => ((latest(disk.values) ?? 0) > (top ? (latest(top.values) ?? 0) : -1) ? disk : top),
    undefined,
  );
  return [
    { label: 'CPU', detail: '', current: latest(cpu), values: cpu },
    { label: 'Memory', detail: '', current: latest(memory), values: memory },
    {
      label: 'Disk',
      detail: fullest?.label ?? '',
      current: fullest ? latest(fullest.values) : null,
      values: fullest?.values ?? [],
    },
  ];
}

/** A run's samples as chart columns, times as seconds since `baseMs` (the step timeline's offsets). */
export function runResourceColumns(
  samples: readonly RunResourceSample[],
  baseMs: number,
): { seconds: number[]; cpuPercent: number[]; rssBytes: number[]; processCount: number[] } {
  return {
    seconds: samples.map((s) => (s.t - baseMs) / 1_000),
    cpuPercent: samples.map((s) => s.cpuPercent),
    rssBytes: samples.map((s) => s.rssBytes),
    processCount: samples.map((s) => s.processCount),
  };
}
