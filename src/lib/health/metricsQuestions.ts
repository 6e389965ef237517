import fs from 'node:fs';
import path from 'node:path';
import { thisHost } from '../config/host';
import { microsToUsd } from '../contracts/executions';
import { diskUsedShare, type MetricRange, type MetricsRangeDto } from '../contracts/metrics';
import { type HostVitals, workerStateOf } from '../contracts/workers';
import { execute } from '../db/plan';
import { getMonthToDate } from '../db/queries/costReports';
import { getClaudeopsActivity } from '../db/queries/healthActivity';
import { getMetricsRange } from '../db/queries/metrics';
import { hostLoad, listWorkers } from '../db/queries/workers';
import type { Store } from '../db/store';
import { readSystemUnits, scanProcesses } from '../metrics/processTable';

/**
 * The questions the System Health Reporter may ask about the recorded metrics and about ClaudeOps
 * itself. Each reads only (on SQLite the store it gets is a read-only connection as well) and
 * answers with plain figures the model can quote.
 */

const DAY_MS = 86_400_000;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const percent = (ratio: number) => round(ratio * 100);

function seriesOf(range: MetricsRangeDto, metric: string, entity = '') {
  return range.series.find((series) => series.metric === metric && series.entity === entity);
}

const numbers = (values: readonly (number | null)[]) => values.filter((v): v is number => v !== null);

function lastOf(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

function mounts(range: MetricsRangeDto): string[] {
  return range.series.filter((series) => series.metric === 'fs.size').map((series) => series.entity);
}

/** The latest recorded sample: CPU, load, memory, swap, pressure and each disk's use. */
export async function currentMetrics(store: Store, now: number) {
  const range = await execute(store, getMetricsRange(store, thisHost(), '1h', now));
  const at = range.t.at(-1) ?? null;
  const last = (metric: string, entity = '') => lastOf(seriesOf(range, metric, entity)?.avg ?? []);
  const memoryTotal = last('memory.total');
  const memoryAvailable = last('memory.available');
  return {
    sampledAt: at === null ? null : new Date(at).toISOString(),
    cpuBusyPercent: percent(last('cpu.busy') ?? 0),
    load: { load1: last('load.1'), load5: last('load.5'), load15: last('load.15') },
    cores: range.series.filter((series) => series.metric === 'cpu.busy' && series.entity !== '').length,
    memoryAvailablePercent:
      memoryTotal && memoryAvailable !== null ? percent(memoryAvailable / memoryTotal) : null,
    swapUsedBytes: last('swap.used'),
    pressure: {
      cpuSome: last('pressure.cpu.some'),
      memorySome: last('pressure.memory.some'),
      ioSome: last('pressure.io.some'),
    },
    disks: mounts(range).map((mount) => {
      const size = last('fs.size', mount) ?? 0;
      const used = last('fs.used', mount) ?? 0;
      const available = last('fs.available', mount);
      const share = diskUsedShare(used, available, size);
      return {
        mount,
        usedPercent: share === null ? null : percent(share),
        freeBytes: available ?? size - used,
      };
    }),
  };
}

/** The average of `averages` and the highest of `peaks`; null without a figure. */
function averageAndPeak(averages: readonly (number | null)[], peaks: readonly (number | null)[] = averages) {
  const present = numbers(averages);
  if (present.length === 0) return null;
  return {
    average: present.reduce((sum, v) => sum + v, 0) / present.length,
    peak: Math.max(...numbers(peaks)),
  };
}

function stat(range: MetricsRangeDto, metric: string, entity = '') {
  const series = seriesOf(range, metric, entity);
  return series ? averageAndPeak(series.avg, series.max ?? series.avg) : null;
}

/** Averages and peaks over the last hour or day. */
export async function metricStats(store: Store, window: Extract<MetricRange, '1h' | '24h'>, now: number) {
  const range = await execute(store, getMetricsRange(store, thisHost(), window, now));
  const cpu = stat(range, 'cpu.busy');
  const load1 = stat(range, 'load.1');
  const available = stat(range, 'memory.available');
  const total = lastOf(seriesOf(range, 'memory.total')?.avg ?? []);
  return {
    window,
    tier: range.tier,
    points: range.t.length,
    cpuBusyPercent: cpu && { average: percent(cpu.average), peak: percent(cpu.peak) },
    load1: load1 && { average: round(load1.average, 2), peak: round(load1.peak, 2) },
    memoryAvailablePercent:
      available && total
        ? {
            average: percent(available.average / total),
            lowest: percent(minOf(range, 'memory.available') / total),
          }
        : null,
    agentRuns: range.runs.length,
  };
}

function minOf(range: MetricsRangeDto, metric: string): number {
  const series = seriesOf(range, metric);
  return Math.min(...numbers(series?.min ?? series?.avg ?? []));
}

/** Least-squares slope of (t, value) pairs, per millisecond. */
function slope(points: readonly [number, number][]): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const meanT = points.reduce((sum, [t]) => sum + t, 0) / n;
  const meanV = points.reduce((sum, [, v]) => sum + v, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [t, v] of points) {
    numerator += (t - meanT) * (v - meanV);
    denominator += (t - meanT) ** 2;
  }
  return denominator === 0 ? null : numerator / denominator;
}

/** How fast each disk fills over the last week, and when it would be full at that rate. */
export async function diskForecast(store: Store, now: number) {
  const range = await execute(store, getMetricsRange(store, thisHost(), '7d', now));
  return mounts(range).map((mount) => {
    const used = seriesOf(range, 'fs.used', mount)?.avg ?? [];
    const size = lastOf(seriesOf(range, 'fs.size', mount)?.avg ?? []) ?? 0;
    const points = range.t.flatMap((t, i): [number, number][] => {
      const value = used[i];
      return value === null || value === undefined ? [] : [[t, value]];
    });
    const perMs = slope(points);
    const usedNow = lastOf(used) ?? 0;
    const growthPerDay = perMs === null ? null : perMs * DAY_MS;
    return {
      mount,
      usedPercent: size > 0 ? percent(usedNow / size) : null,
      growthBytesPerDay: growthPerDay === null ? null : Math.round(growthPerDay),
      daysUntilFull:
        growthPerDay !== null && growthPerDay > 0 ? round((size - usedNow) / growthPerDay) : null,
      basedOnDays:
        points.length > 1 ? round(((points.at(-1)?.[0] ?? 0) - (points[0]?.[0] ?? 0)) / DAY_MS) : 0,
    };
  });
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(path.join('/proc', String(pid), 'comm'), 'utf8').trim();
  } catch {
    return '?';
  }
}

/** The processes using the most CPU right now (over half a second) and their memory. */
export async function topProcesses(limit: number, windowMs = 500) {
  const { clockTicksPerSecond, pageSizeBytes } = readSystemUnits();
  const before = await scanProcesses();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = await scanProcesses();
  return [...after.values()]
    .map((process) => {
      const earlier = before.get(process.pid);
      const ticks =
        earlier && earlier.startTicks === process.startTicks ? process.cpuTicks - earlier.cpuTicks : 0;
      return {
        pid: process.pid,
        command: commandOf(process.pid),
        cpuPercent: round((ticks / clockTicksPerSecond / (windowMs / 1000)) * 100),
        rssBytes: process.rssPages * pageSizeBytes,
      };
    })
    .sort((a, b) => b.cpuPercent - a.cpuPercent || b.rssBytes - a.rssBytes)
    .slice(0, limit);
}

/** ClaudeOps' own state: runs that failed in the last day, what is running, and the spend. */
export async function claudeopsActivity(store: Store, now: number) {
  const { failures, activeRuns, spendTodayMicros } = await execute(
    store,
    getClaudeopsActivity(store, now - DAY_MS, now),
  );
  const month = await getMonthToDate(store, now);
  return {
    failedRunsLast24h: failures.map((run) => ({
      ...run,
      finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
    })),
    activeRuns,
    spendTodayUsd: microsToUsd(spendTodayMicros),
    spendMonthToDateUsd: month.spentUsd,
    forecastMonthUsd: month.forecastUsd,
  };
}

/** df's Use% of the host's data directory; null where it was not read. */
function dataDiskUsedPercent({
  diskUsedBytes,
  diskAvailableBytes,
  diskSizeBytes,
}: HostVitals): number | null {
  if (diskUsedBytes === null || diskSizeBytes === null) return null;
  const share = diskUsedShare(diskUsedBytes, diskAvailableBytes, diskSizeBytes);
  return share === null ? null : percent(share);
}

/** A share's average and peak, in percent; null without a figure. */
function percentStat(values: readonly (number | null)[]) {
  const stats = averageAndPeak(values);
  return stats && { averagePercent: percent(stats.average), peakPercent: percent(stats.peak) };
}

/** A host's CPU and memory over the last hour, from the beats of its workers. */
async function hostLastHour(store: Store, host: string, now: number) {
  const load = await execute(store, hostLoad(store, { host, range: '1h' }, now));
  if (load.t.length === 0) return null;
  return {
    beats: load.t.length,
    cpuBusy: percentStat(load.cpuBusy),
    memoryUsed: percentStat(load.memoryUsed),
    load1Peak: Math.max(...load.load1),
  };
}

/**
 * The workers that beat in the last day (worker hosts, and the web process's own): their state
 * ('no beat': lost without stopping, killed or its host down), runs under way, their host's
 * load at their last beat, and its CPU and memory over the last hour.
 */
export async function workerHosts(store: Store, now: number) {
  const workers = (await listWorkers(store, now)).filter((worker) => now - worker.lastBeatAt <= DAY_MS);
  const hosts = [...new Set(workers.map((worker) => worker.host))];
  const lastHour = new Map(
    await Promise.all(hosts.map(async (host) => [host, await hostLastHour(store, host, now)] as const)),
  );
  return workers.map(({ vitals, ...worker }) => ({
    worker: worker.id,
    host: worker.host,
    labels: worker.labels,
    state: workerStateOf(worker),
    runningRuns: worker.runningRuns,
    lastBeatAt: new Date(worker.lastBeatAt).toISOString(),
    hostLoad: vitals && {
      cpuBusyPercent: vitals.cpuBusy === null ? null : percent(vitals.cpuBusy),
      cores: vitals.cores,
      load1: vitals.load1,
      memoryUsedPercent: percent(vitals.memoryUsedBytes / vitals.memoryTotalBytes),
      dataDiskUsedPercent: dataDiskUsedPercent(vitals),
    },
    hostLastHour: lastHour.get(worker.host) ?? null,
  }));
}
