import { z } from 'zod';
import { EXECUTION_STATUSES } from './executions';

// Host metrics, their stored tiers, the chart API and a run's own resources: shapes shared by the
// server, the WebSocket `metrics` topic and the browser's charts.

const ratio = z.number().min(0).max(1);
const bytes = z.number().min(0);

/** Shares of one CPU's (or all CPUs') time over the last interval, each 0–1. */
export const cpuShareSchema = z.object({
  /** Not idle and not waiting on I/O: 1 − (idle + iowait). */
  busy: ratio,
  /** user + nice */
  user: ratio,
  /** system + irq + softirq */
  system: ratio,
  iowait: ratio,
  /** Taken by the hypervisor for other guests. */
  steal: ratio,
});
export type CpuShare = z.infer<typeof cpuShareSchema>;

/** Pressure stall information (/proc/pressure/*): share of the last 10 s some (or all) tasks stalled. */
export const pressureSchema = z.object({
  some: ratio,
  /** null where the kernel does not report it (system-wide CPU "full"). */
  full: ratio.nullable(),
});

export const filesystemUsageSchema = z.object({
  mountPoint: z.string(),
  device: z.string(),
  fsType: z.string(),
  sizeBytes: bytes,
  usedBytes: bytes,
  /** Free to unprivileged users (statfs f_bavail); what `df` shows as Avail. */
  availableBytes: bytes,
  /** used / (used + available), as `df` computes Use%. */
  usedRatio: ratio,
});

/**
 * The one disk figure every page shows: the share in use as `df` computes Use%,
 * used / (used + available), so blocks reserved for root count as neither. Without the available
 * figure (series stored before it was kept), used / size.
 */
export function diskUsedShare(
  usedBytes: number,
  availableBytes: number | null,
  sizeBytes: number,
): number | null {
  const whole = availableBytes === null ? sizeBytes : usedBytes + availableBytes;
  return whole > 0 ? Math.min(1, usedBytes / whole) : null;
}

/**
 * Interface names of software devices (bridges, tunnels, traffic shapers, container plumbing),
 * for interfaces whose /sys entry is gone or was never read.
 */
const VIRTUAL_INTERFACE_NAME =
  /^(lo|ifb|veth|docker|br-|br\d|virbr|vnet|tun|tap|wg|tailscale|zt|flannel|cni|cali|vxlan|kube|dummy|gre|sit|ip6tnl|nlmon)/;

/**
 * Whether a network interface is virtual: what the collector read from /sys (`known`: no
 * `device` link behind it) when it has, else what its name says.
 */
export function isVirtualInterface(name: string, known?: boolean): boolean {
  return known ?? VIRTUAL_INTERFACE_NAME.test(name);
}

/** Byte rates are null the first time a device or interface is seen: a rate needs two readings. */
const rate = z.number().min(0).nullable();

export const diskIoSchema = z.object({
  device: z.string(),
  readBytesPerSecond: rate,
  writeBytesPerSecond: rate,
  /** The kernel's counters since boot (or since the device appeared). */
  readBytes: bytes,
  writeBytes: bytes,
});

export const networkIoSchema = z.object({
  interface: z.string(),
  /**
   * No device behind it (/sys/class/net/<if>/device absent): a bridge, tunnel, ifb, docker…
   * Optional: samples stored before it was read carry none (then the name decides).
   */
  virtual: z.boolean().optional(),
  rxBytesPerSecond: rate,
  txBytesPerSecond: rate,
  rxBytes: bytes,
  txBytes: bytes,
});

/** One reading of this machine: what the collector stores and the `metrics` topic broadcasts. */
export const hostSampleSchema = z.object({
  t: z.number(),
  cpu: cpuShareSchema,
  /** One entry per online core; `cores.length` is the core count load averages compare with. */
  cores: z.array(cpuShareSchema.extend({ core: z.number().int() })),
  load: z.object({ load1: z.number(), load5: z.number(), load15: z.number() }),
  memory: z.object({
    totalBytes: bytes,
    /** total − available: memory the kernel cannot hand out without swapping. */
    usedBytes: bytes,
    availableBytes: bytes,
    availableRatio: ratio,
    /** Page cache and buffers (as `free` shows buff/cache). */
    cachedBytes: bytes,
    swapTotalBytes: bytes,
    swapUsedBytes: bytes,
  }),
  /** Each null where the kernel has no pressure information. */
  pressure: z.object({
    cpu: pressureSchema.nullable(),
    memory: pressureSchema.nullable(),
    io: pressureSchema.nullable(),
  }),
  filesystems: z.array(filesystemUsageSchema),
  disks: z.array(diskIoSchema),
  network: z.array(networkIoSchema),
});
export type HostSample = z.infer<typeof hostSampleSchema>;

export type MetricUnit = 'ratio' | 'load' | 'bytes' | 'bytes_per_second';
type MetricEntity = 'core' | 'mount point' | 'device' | 'interface' | null;

/**
 * Every stored series is one of these metrics plus an entity: '' for the machine as a whole, else
 * the core number, mount point, device or interface (`per`) it belongs to. `cpu.busy` has both.
 */
export const HOST_METRICS = {
  'cpu.busy': { unit: 'ratio', per: 'core' },
  'cpu.user': { unit: 'ratio', per: null },
  'cpu.system': { unit: 'ratio', per: null },
  'cpu.iowait': { unit: 'ratio', per: null },
  'cpu.steal': { unit: 'ratio', per: null },
  'load.1': { unit: 'load', per: null },
  'load.5': { unit: 'load', per: null },
  'load.15': { unit: 'load', per: null },
  'memory.total': { unit: 'bytes', per: null },
  'memory.used': { unit: 'bytes', per: null },
  'memory.available': { unit: 'bytes', per: null },
  'memory.cached': { unit: 'bytes', per: null },
  'swap.total': { unit: 'bytes', per: null },
  'swap.used': { unit: 'bytes', per: null },
  'pressure.cpu.some': { unit: 'ratio', per: null },
  'pressure.memory.some': { unit: 'ratio', per: null },
  'pressure.memory.full': { unit: 'ratio', per: null },
  'pressure.io.some': { unit: 'ratio', per: null },
  'pressure.io.full': { unit: 'ratio', per: null },
  'fs.size': { unit: 'bytes', per: 'mount point' },
  'fs.used': { unit: 'bytes', per: 'mount point' },
  'fs.available': { unit: 'bytes', per: 'mount point' },
  'disk.read': { unit: 'bytes_per_second', per: 'device' },
  'disk.write': { unit: 'bytes_per_second', per: 'device' },
  'net.rx': { unit: 'bytes_per_second', per: 'interface' },
  'net.tx': { unit: 'bytes_per_second', per: 'interface' },
} as const satisfies Record<string, { unit: MetricUnit; per: MetricEntity }>;
export type HostMetric = keyof typeof HOST_METRICS;
export const HOST_METRIC_NAMES = Object.keys(HOST_METRICS) as [HostMetric, ...HostMetric[]];

/** Stored tiers, finest first. Raw samples come every collection interval; each rollup from the tier before it. */
export const METRIC_TIERS = ['raw', '1m', '10m', '1h', '1d'] as const;
export type MetricTier = (typeof METRIC_TIERS)[number];
export type RollupTier = Exclude<MetricTier, 'raw'>;

export const ROLLUP_STEP_MS: Record<RollupTier, number> = {
  '1m': 60_000,
  '10m': 600_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

export const METRIC_RANGES = ['1h', '24h', '7d', '30d', '90d', '1y'] as const;
export type MetricRange = (typeof METRIC_RANGES)[number];

export const METRIC_RANGE_MS: Record<MetricRange, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
  '1y': 365 * 86_400_000,
};

/** A chart is about this many pixels wide; a range never returns more points per series. */
export const MAX_CHART_POINTS = 1_500;

/**
 * The finest tier that gives a range no more points than a chart has pixels. With the default
 * 5 s interval: 1h → raw (720), 24h → 1m (1,440), 7d → 10m (1,008), 30d → 1h (720), 1y → 1d (365).
 */
export function tierForRange(range: MetricRange, rawStepMs: number): { tier: MetricTier; stepMs: number } {
  return tierForSpan(METRIC_RANGE_MS[range], rawStepMs);
}

/** The finest tier that draws a span of time in no more points than a chart has pixels. */
export function tierForSpan(span: number, rawStepMs: number): { tier: MetricTier; stepMs: number } {
  if (span / rawStepMs <= MAX_CHART_POINTS) return { tier: 'raw', stepMs: rawStepMs };
  const rollups = Object.entries(ROLLUP_STEP_MS) as [RollupTier, number][];
  const fits = rollups.find(([, stepMs]) => span / stepMs <= MAX_CHART_POINTS);
  const [tier, stepMs] = fits ?? ['1d', ROLLUP_STEP_MS['1d']];
  return { tier, stepMs };
}

/** The longest custom window: the hourly tier's default retention. */
export const MAX_CUSTOM_RANGE_MS = 400 * 86_400_000;

/** A host as workers name theirs (the machine's hostname): whose metrics, whose load. */
export const hostNameSchema = z.string().min(1, 'Name a host').max(255, 'At most 255 characters');

/**
 * A host that has stored no sample for this long is taken for retired (its processes stopped for
 * good, or for long): the others maintain its rows, and its conditions are no longer listed.
 */
export const RETIRED_HOST_AFTER_MS = 86_400_000;

/** The System page, on `host`'s charts when named (its `?host=`; this server's without). */
export const systemPagePath = (host?: string): string =>
  host === undefined ? '/system' : `/system?host=${encodeURIComponent(host)}`;

/**
 * A host's metrics (this server's when unnamed) over a named range back from now, or `custom`
 * between two instants (epoch ms).
 */
export const metricsRangeQuerySchema = z
  .strictObject({
    host: hostNameSchema.optional(),
    range: z.enum([...METRIC_RANGES, 'custom']).default('1h'),
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
  })
  .superRefine((query, ctx) => {
    if (query.range !== 'custom') {
      for (const key of ['from', 'to'] as const)
        if (query[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} goes with range=custom only` });
      return;
    }
    if (query.from === undefined)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'A custom range needs from (epoch ms)' });
    if (query.to === undefined)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'A custom range needs to (epoch ms)' });
    if (query.from === undefined || query.to === undefined) return;
    if (query.to <= query.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    else if (query.to - query.from > MAX_CUSTOM_RANGE_MS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'A custom range spans at most 400 days' });
  });
export type MetricsRangeQuery = z.infer<typeof metricsRangeQuerySchema>;

/** What a chart asks for: a named range back from now, or a window of its own. */
export type MetricsWindowRequest = MetricRange | { from: number; to: number };

/** Values aligned with the answer's `t`; null where the series has no value in that bucket. */
const alignedValues = z.array(z.number().nullable());

export const metricSeriesSchema = z.object({
  metric: z.enum(HOST_METRIC_NAMES),
  entity: z.string(),
  /** The bucket's average (the sample itself on the raw tier). */
  avg: alignedValues,
  /** null on the raw tier, where each point is one sample. */
  min: alignedValues.nullable(),
  max: alignedValues.nullable(),
});
export type MetricSeriesDto = z.infer<typeof metricSeriesSchema>;

/** An agent run drawn on the charts' time axis. */
export const runBandSchema = z.object({
  id: z.number(),
  agentName: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  startedAt: z.number(),
  /** null while it runs. */
  finishedAt: z.number().nullable(),
});
export type RunBandDto = z.infer<typeof runBandSchema>;

/** Series over a time window, in the column layout uPlot draws from. */
export const metricsWindowSchema = z.object({
  tier: z.enum(METRIC_TIERS),
  stepMs: z.number(),
  from: z.number(),
  to: z.number(),
  /** Sample or bucket start times, ascending, shared by every series. */
  t: z.array(z.number()),
  series: z.array(metricSeriesSchema),
});
export type MetricsWindowDto = z.infer<typeof metricsWindowSchema>;

/** The answer of `GET /api/metrics?range=…`: a host's window and the runs on it to draw. */
export const metricsRangeSchema = metricsWindowSchema.extend({
  /** Whose samples and runs these are. */
  host: z.string(),
  range: z.enum([...METRIC_RANGES, 'custom']),
  /** The window asked for; `from` may be later (where the data starts), never earlier. */
  requested: z.object({ from: z.number(), to: z.number() }),
  runs: z.array(runBandSchema),
  /** More runs overlap the range than `runs` holds (the most recent are kept). */
  runsTruncated: z.boolean(),
});
export type MetricsRangeDto = z.infer<typeof metricsRangeSchema>;

/** One stored series' value in a sample. */
export interface SeriesValue {
  metric: HostMetric;
  /** '' for the machine as a whole. */
  entity: string;
  value: number;
}

/**
 * The stored series of a sample, which the charts also fold live samples into. Per core only the
 * busy share is kept (a 64-core machine would otherwise store 320 series); the breakdown is kept
 * for all cores together. Rates not known yet (first reading of a device) are left out rather
 * than stored as 0.
 */
export function sampleSeries(sample: HostSample): SeriesValue[] {
  const values: SeriesValue[] = [];
  const add = (metric: HostMetric, value: number | null | undefined, entity = '') => {
    if (value !== null && value !== undefined) values.push({ metric, entity, value });
  };
  const { cpu, load, memory, pressure } = sample;
  add('cpu.busy', cpu.busy);
  add('cpu.user', cpu.user);
  add('cpu.system', cpu.system);
  add('cpu.iowait', cpu.iowait);
  add('cpu.steal', cpu.steal);
  for (const core of sample.cores) add('cpu.busy', core.busy, String(core.core));
  add('load.1', load.load1);
  add('load.5', load.load5);
  add('load.15', load.load15);
  add('memory.total', memory.totalBytes);
  add('memory.used', memory.usedBytes);
  add('memory.available', memory.availableBytes);
  add('memory.cached', memory.cachedBytes);
  add('swap.total', memory.swapTotalBytes);
  add('swap.used', memory.swapUsedBytes);
  add('pressure.cpu.some', pressure.cpu?.some);
  add('pressure.memory.some', pressure.memory?.some);
  add('pressure.memory.full', pressure.memory?.full);
  add('pressure.io.some', pressure.io?.some);
  add('pressure.io.full', pressure.io?.full);
  for (const fs of sample.filesystems) {
    add('fs.size', fs.sizeBytes, fs.mountPoint);
    add('fs.used', fs.usedBytes, fs.mountPoint);
    add('fs.available', fs.availableBytes, fs.mountPoint);
  }
  for (const disk of sample.disks) {
    add('disk.read', disk.readBytesPerSecond, disk.device);
    add('disk.write', disk.writeBytesPerSecond, disk.device);
  }
  for (const nic of sample.network) {
    add('net.rx', nic.rxBytesPerSecond, nic.interface);
    add('net.tx', nic.txBytesPerSecond, nic.interface);
  }
  return values;
}
