import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { thisHost } from '../src/lib/config/host';
import {
  METRIC_RANGE_MS,
  type MetricRange,
  type MetricSeriesDto,
  type MetricsRangeDto,
  sampleSeries,
  tierForRange,
} from '../src/lib/contracts/metrics';
import { createLogger } from '../src/lib/core/logger';
import type { DbHandle } from '../src/lib/db';
import { decodeSampleValues, encodeSampleValues } from '../src/lib/db/metricBlobs';
import { onSqlite, runOnSqlite, transactionOnSqlite } from '../src/lib/db/plan';
import { createAgent } from '../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../src/lib/db/queries/executions';
import {
  ensureMetricSeries,
  getMetricsRange,
  getRunBands,
  listMetricSeries,
  rollUpBuckets,
} from '../src/lib/db/queries/metrics';
import { registerWorker } from '../src/lib/db/queries/workers';
import { sqliteStore } from '../src/lib/db/store';
import { HostCollector } from '../src/lib/metrics/hostCollector';
import { HostSampleWriter } from '../src/lib/metrics/hostSampleWriter';
import {
  parseCpuTimes,
  parseDiskStats,
  parseLoadAverage,
  parseMemoryInfo,
  parseNetworkDevices,
  parsePressure,
} from '../src/lib/metrics/procParsers';
import { rollUpClosedBuckets } from '../src/lib/metrics/retention';
import { RunResourceSampler } from '../src/lib/metrics/runResourceSampler';
import { SecretMasker } from '../src/lib/security/secrets';
import { seededRandom } from '../tests/helpers/seededRandom';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt, timeItAsync } from './measure';
import { sized } from './smoke';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

const DEFAULT_INTERVAL_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time of this process (all its threads, libuv's pool included) and of the children it reaped, in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  // Fields 16 and 17 of /proc/self/stat: cutime and cstime, in clock ticks (100 Hz).
  const fields = fs.readFileSync('/proc/self/stat', 'latin1').split(') ')[1]?.split(' ') ?? [];
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return (user + system) / 1000 + childTicks * 10;
}

async function cpuPerCall(runs: number, fn: () => unknown): Promise<number> {
  const start = cpuMs();
  for (let i = 0; i < runs; i++) await fn();
  return (cpuMs() - start) / runs;
}

/** The way a collector is often written: synchronous reads and `df` for the disks. */
function naiveHostSample() {
  const read = (file: string) => fs.readFileSync(file, 'utf8');
  const df = execFileSync('df', ['-P', '-k'], { encoding: 'utf8' })
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
  return {
    cpu: parseCpuTimes(read('/proc/stat')),
    load: parseLoadAverage(read('/proc/loadavg')),
    memory: parseMemoryInfo(read('/proc/meminfo')),
    pressure: ['cpu', 'io', 'memory'].map((resource) => parsePressure(read(`/proc/pressure/${resource}`))),
    disks: parseDiskStats(read('/proc/diskstats')),
    network: parseNetworkDevices(read('/proc/net/dev')),
    filesystems: df,
  };
}

/** Event-loop delay over 2 s of calling `fn` every 25 ms. */
async function eventLoopDelay(fn: () => Promise<unknown>): Promise<{ p99: number; max: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (const end = Date.now() + sized(2_000, 200); Date.now() < end; ) {
    await fn();
    await sleep(25);
  }
  histogram.disable();
  return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

async function benchCollector(): Promise<BenchResult[]> {
  const collector = new HostCollector();
  const fast = await timeItAsync('host sample, async /proc + statfs', 200, () =>
    collector.sample(Date.now()),
  );
  // On a shared machine most event-loop delay comes from other processes: the same span idle is the floor.
  const idle = await eventLoopDelay(async () => {});
  const sampling = await eventLoopDelay(() => collector.sample(Date.now()));
  const fastCpu = await cpuPerCall(sized(200, 3), () => collector.sample(Date.now()));
  const naive = timeIt('host sample, readFileSync + df (naive)', 50, naiveHostSample);
  const naiveCpu = await cpuPerCall(sized(50, 3), naiveHostSample);
  console.log(
    `host collector: CPU per sample ${fastCpu.toFixed(2)} ms (naive ${naiveCpu.toFixed(2)} ms), ` +
      `${((fastCpu / DEFAULT_INTERVAL_MS) * 100).toFixed(3)}% of one core at the default 5 s interval ` +
      `(naive ${((naiveCpu / DEFAULT_INTERVAL_MS) * 100).toFixed(3)}%); ` +
      `event-loop delay sampling every 25 ms: p99 ${sampling.p99.toFixed(1)} ms, max ${sampling.max.toFixed(1)} ms ` +
      `(idle: p99 ${idle.p99.toFixed(1)} ms, max ${idle.max.toFixed(1)} ms)`,
  );
  return [naive, { ...fast, baseline: naive }];
}

/** The same tree measured by `ps`: one process spawned per tick, its output parsed into a tree. */
function psSample(rootPid: number) {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,times='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const children = new Map<number, number[][]>();
  for (const row of rows) {
    const siblings = children.get(row[1] ?? 0);
    if (siblings) siblings.push(row);
    else children.set(row[1] ?? 0, [row]);
  }
  let rss = 0;
  let cpuSeconds = 0;
  let count = 0;
  const stack = rows.filter((row) => row[0] === rootPid);
  for (let row = stack.pop(); row; row = stack.pop()) {
    rss += (row[2] ?? 0) * 1024;
    cpuSeconds += row[3] ?? 0;
    count++;
    stack.push(...(children.get(row[0] ?? 0) ?? []));
  }
  return { rss, cpuSeconds, count };
}

const PROCESSES_IN_TREE = 21;
const SAMPLER_TICKS = sized(20, 2);

async function benchRunSampler(): Promise<BenchResult[]> {
  const handle = createTestDb();
  const tree = spawn('sh', ['-c', `for i in $(seq ${PROCESSES_IN_TREE - 1}); do sleep 60 & done; wait`], {
    detached: true,
    stdio: 'ignore',
  });
  const rootPid = tree.pid ?? -1;
  try {
    const agent = runOnSqlite(
      createAgent(sqliteStore(handle.db), { name: 'bench', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
    );
    const executionId = onSqlite(handle.db, (store) =>
      insertQueuedExecution(store, {
        agentId: agent.id,
        prompt: 'p',
        model: agent.model,
        trigger: 'manual',
      }),
    );
    await sleep(300);
    const logger = createLogger({
      masker: new SecretMasker([]),
      destination: fs.createWriteStream('/dev/null'),
    });
    const sampler = new RunResourceSampler({
      store: sqliteStore(handle.db),
      logger,
      instance: handle.path,
      intervalMs: 60_000,
    });
    sampler.track(executionId, rootPid);
    const ticksMs: number[] = [];
    let cpu = 0;
    // The sampler only measures a run over 250 ms or more: tick every 260 ms, as its timer would every 2 s.
    for (let tick = 0; tick <= SAMPLER_TICKS; tick++) {
      await sleep(260);
      const startCpu = cpuMs();
      const start = process.hrtime.bigint();
      await sampler.sample();
      if (tick === 0) continue; // the first tick also reads every process's environment once
      ticksMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      cpu += cpuMs() - startCpu;
    }
    const summary = sampler.untrack(executionId);
    assert.equal(summary?.peakProcessCount, PROCESSES_IN_TREE, 'the sampler saw the whole tree');
    assert.equal(psSample(rootPid).count, PROCESSES_IN_TREE, 'ps saw the whole tree');
    const scanned = fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).length;
    const psCpu = await cpuPerCall(SAMPLER_TICKS, () => psSample(rootPid));
    const perTick = cpu / SAMPLER_TICKS;
    console.log(
      `run sampler: CPU per tick ${perTick.toFixed(2)} ms for ${scanned} processes on the machine ` +
        `(${((perTick / scanned) * 1000).toFixed(1)} µs per process scanned, ` +
        `${((perTick / PROCESSES_IN_TREE) * 1000).toFixed(1)} µs per process of the run); ` +
        `ps-spawning sampler ${psCpu.toFixed(2)} ms per tick (${((psCpu / scanned) * 1000).toFixed(1)} µs per process)`,
    );
    const naive = timeIt(`run sample, ps + tree (naive), ${PROCESSES_IN_TREE} processes`, SAMPLER_TICKS, () =>
      psSample(rootPid),
    );
    return [
      naive,
      {
        name: `run sample, one /proc scan, ${PROCESSES_IN_TREE} processes`,
        samplesMs: ticksMs,
        baseline: naive,
      },
    ];
  } finally {
    process.kill(-rootPid, 'SIGKILL');
    handle.sqlite.close();
    fs.rmSync(path.dirname(handle.path), { recursive: true, force: true });
  }
}

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 3, 7);
/**
 * Generated raw samples: every 5 s (the default interval) over the last 30 days, every 10 minutes
 * before that. A whole year at 5 s would take minutes to generate; the 1-year baseline is the
 * cheaper for it.
 */
const DENSE_STEP_MS = 5_000;
const DENSE_SINCE = NOW - sized(30, 1) * DAY_MS;
const SPARSE_STEP_MS = sized(600_000, 6 * 3_600_000);
const RUNS_PER_DAY = 50;

/** A year of this machine's series (as its collector names them), values varying around a real sample. */
async function generateYear(handle: DbHandle): Promise<number> {
  const collector = new HostCollector();
  await collector.sample(Date.now());
  await sleep(200);
  const series = sampleSeries(await collector.sample(Date.now()));
  const rows = transactionOnSqlite(handle.db, (tx) => ensureMetricSeries(tx, series, NOW - 366 * DAY_MS));
  const base = series.map((value) => ({
    id: rows.find((row) => row.metric === value.metric && row.entity === value.entity)?.id ?? 0,
    value: value.value,
  }));
  const random = seededRandom(7);
  const insert = handle.sqlite.prepare('insert into host_samples (host, t, "values") values (?, ?, ?)');
  let count = 0;
  handle.sqlite.transaction(() => {
    for (let t = NOW - 366 * DAY_MS; t < NOW; t += t >= DENSE_SINCE ? DENSE_STEP_MS : SPARSE_STEP_MS) {
      insert.run(
        HOST,
        t,
        encodeSampleValues(new Map(base.map(({ id, value }) => [id, value * (0.5 + random())]))),
      );
      count++;
    }
  })();
  const agent = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'nightly', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  // The runs drawn as bands are the host's: their worker's (a join per chart read).
  const workerId = `${HOST}-1-00000000`;
  await registerWorker(sqliteStore(handle.db), {
    id: workerId,
    host: HOST,
    labels: [],
    version: '0.1.0',
    startedAt: NOW - 366 * DAY_MS,
  });
  const run = handle.sqlite.prepare(
    `insert into executions (agent_id, trigger, status, prompt, model, created_at, started_at, finished_at, worker_id)
     values (?, 'manual', 'completed', 'p', 'm', ?, ?, ?, ?)`,
  );
  handle.sqlite.transaction(() => {
    for (let t = NOW - 365 * DAY_MS; t < NOW; t += DAY_MS / RUNS_PER_DAY)
      run.run(agent.id, t, t + 1_000, t + 1_000 + Math.floor(random() * 600_000), workerId);
  })();
  return count;
}

/** The same answer as getMetricsRange, from raw rows: what charts would cost without the tiers. */
function rangeFromRawRows(handle: DbHandle, range: MetricRange): MetricsRangeDto {
  const { tier, stepMs } = tierForRange(range, DEFAULT_INTERVAL_MS);
  const from = NOW - METRIC_RANGE_MS[range];
  const first = Math.ceil(from / stepMs) * stepMs;
  const closedEnd = Math.floor(NOW / stepMs) * stepMs;
  const rows = handle.sqlite
    .prepare('select t, "values" as v from host_samples where host = ? and t >= ? and t < ? order by t')
    .all(HOST, first, closedEnd) as { t: number; v: Buffer }[];
  const buckets = new Map<number, Map<number, { count: number; sum: number; min: number; max: number }>>();
  for (const { t, v } of rows) {
    const start = Math.floor(t / stepMs) * stepMs;
    const bucket = buckets.get(start) ?? new Map();
    buckets.set(start, bucket);
    decodeSampleValues(v, (id, value) => {
      const agg = bucket.get(id);
      if (!agg) bucket.set(id, { count: 1, sum: value, min: value, max: value });
      else {
        agg.count++;
        agg.sum += value;
        agg.min = Math.min(agg.min, value);
        agg.max = Math.max(agg.max, value);
      }
    });
  }
  const t = [...buckets.keys()];
  const series: MetricSeriesDto[] = onSqlite(handle.db, listMetricSeries).map(({ id, metric, entity }) => {
    const column = (pick: (agg: { count: number; sum: number; min: number; max: number }) => number) =>
      [...buckets.values()].map((bucket) => {
        const agg = bucket.get(id);
        return agg ? pick(agg) : null;
      });
    return {
      metric,
      entity,
      avg: column((a) => a.sum / a.count),
      min: column((a) => a.min),
      max: column((a) => a.max),
    };
  });
  const { runs, truncated } = onSqlite(handle.db, (store) => getRunBands(store, HOST, from, NOW));
  return {
    host: HOST,
    range,
    requested: { from, to: NOW },
    tier,
    stepMs,
    from,
    to: NOW,
    t,
    series,
    runs,
    runsTruncated: truncated,
  };
}

/** Sums added in another order differ in the last bits; everything else must be equal. */
function assertSameAnswer(fast: MetricsRangeDto, slow: MetricsRangeDto): void {
  const round = (answer: MetricsRangeDto) => ({
    ...answer,
    series: answer.series.map((s) => ({
      ...s,
      avg: s.avg.map((v) => (v === null ? null : Number(v.toPrecision(10)))),
    })),
  });
  assert.deepStrictEqual(round(fast), round(slow), `${fast.range}: tiers and raw rows disagree`);
}

async function benchChartQueries(): Promise<BenchResult[]> {
  const handle = createTestDb();
  try {
    let started = Date.now();
    const count = await generateYear(handle);
    console.log(
      `chart queries: ${count.toLocaleString('en-US')} raw samples of ${onSqlite(handle.db, listMetricSeries).length} series ` +
        `(every 5 s for 30 days, every 10 min for the 11 months before) generated in ${Date.now() - started} ms`,
    );
    started = Date.now();
    const buckets = await rollUpClosedBuckets(sqliteStore(handle.db), HOST, NOW, async () => {});
    console.log(
      `chart queries: ${buckets.toLocaleString('en-US')} buckets rolled up in ${Date.now() - started} ms`,
    );
    const ranges = ['30d', '1y'] as const;
    const fast = (range: MetricRange) => () =>
      onSqlite(handle.db, (store) => getMetricsRange(store, HOST, range, NOW));
    const slow = (range: MetricRange) => () => rangeFromRawRows(handle, range);
    // Tiers first, both ranges: the raw sums leave ~half a million buffers for the garbage collector.
    const tiered = ranges.map((range) =>
      timeIt(`${range} chart, ${tierForRange(range, DEFAULT_INTERVAL_MS).tier} tier`, 200, fast(range)),
    );
    const kib = (range: MetricRange) => (JSON.stringify(fast(range)()).length / 1024).toFixed(0);
    console.log(
      `chart queries: answers of ${ranges.map((range) => `${range} ${kib(range)} KiB`).join(', ')} as JSON`,
    );
    const results: BenchResult[] = [];
    ranges.forEach((range, index) => {
      assertSameAnswer(fast(range)(), slow(range)());
      const baseline = timeIt(`${range} chart, raw rows`, 2, slow(range));
      const tier = tiered[index];
      if (tier) results.push(baseline, { ...tier, baseline });
    });
    return results;
  } finally {
    handle.sqlite.close();
    fs.rmSync(path.dirname(handle.path), { recursive: true, force: true });
  }
}

const SAMPLE_WRITES = sized(1_000, 20);
const HOUR_MS = 3_600_000;

/**
 * The write path: the sampler's write of each sample (this machine's series, ids known after the
 * first), and the rollup of an hour of raw samples into minutes (one transaction; a rewrite
 * replaces, so it can repeat).
 */
async function benchSampleWrites(): Promise<BenchResult[]> {
  const handle = createTestDb();
  try {
    const collector = new HostCollector();
    await collector.sample(Date.now());
    await sleep(200);
    const series = sampleSeries(await collector.sample(Date.now()));
    const writer = new HostSampleWriter(sqliteStore(handle.db), HOST);
    const first = Math.ceil((NOW - 2 * DAY_MS) / HOUR_MS) * HOUR_MS;
    let t = first;
    const writes = await timeItAsync(
      `${SAMPLE_WRITES} host samples written, ${series.length} series`,
      5,
      async () => {
        for (let i = 0; i < SAMPLE_WRITES; i++) {
          await writer.write(t, series);
          t += DENSE_STEP_MS;
        }
      },
    );
    const rollUp = timeIt('an hour of raw samples rolled up into minutes', 20, () =>
      transactionOnSqlite(handle.db, (tx) => rollUpBuckets(tx, HOST, '1m', first, first + HOUR_MS)),
    );
    return [writes, rollUp];
  } finally {
    handle.sqlite.close();
    fs.rmSync(path.dirname(handle.path), { recursive: true, force: true });
  }
}

/**
 * Host metrics: the collector's cost per sample against a synchronous one that spawns `df`; the run
 * sampler's cost per process against one that spawns `ps`; the 30-day and 1-year charts from their
 * tiers against the same answers summed from raw rows (checked equal first); the sampler's writes
 * and an hour's rollup.
 * Targets: < 5 ms CPU and < 0.2% of a core per sample; chart p95 < 20 ms and ≥ 50× the raw sums.
 */
export async function benchMetrics(): Promise<BenchResult[]> {
  return [
    ...(await benchCollector()),
    ...(await benchRunSampler()),
    ...(await benchChartQueries()),
    ...(await benchSampleWrites()),
  ];
}
