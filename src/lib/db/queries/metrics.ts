import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import { ACTIVE_STATUSES, type ExecutionStatus, microsToUsd } from '../../contracts/executions';
import {
  type HostMetric,
  METRIC_RANGE_MS,
  METRIC_TIERS,
  type MetricSeriesDto,
  type MetricsRangeDto,
  type MetricsWindowDto,
  type MetricsWindowRequest,
  type MetricTier,
  ROLLUP_STEP_MS,
  type RollupTier,
  type RunBandDto,
  tierForSpan,
} from '../../contracts/metrics';
import type { Db } from '../index';
import {
  decodeAggregates,
  decodeSampleValues,
  encodeAggregates,
  encodeSampleValues,
  mergeAggregate,
  type SeriesAggregate,
} from '../metricBlobs';
import { runOnSqlite } from '../plan';
import { preparedPerConnection } from '../prepared';
import {
  agentConfigurations,
  executions,
  hostRollups,
  hostSamples,
  type MetricSeriesRow,
  metricRollupProgress,
  metricSeries,
  monthlyCostSummaries,
} from '../schema';
import { sqliteStore } from '../store';
import { sumOf } from './costs';
import { getAppSettings } from './settings';

export interface SeriesKey {
  metric: HostMetric;
  entity: string;
}

/** The ids of these series, creating the ones never recorded before. */
export function ensureMetricSeries(db: Db, keys: readonly SeriesKey[], now: number): MetricSeriesRow[] {
  return db.transaction((tx) => {
    tx.insert(metricSeries)
      .values(keys.map(({ metric, entity }) => ({ metric, entity, createdAt: now })))
      .onConflictDoNothing()
      .run();
    const wanted = new Set(keys.map(({ metric, entity }) => `${metric}\0${entity}`));
    return tx
      .select()
      .from(metricSeries)
      .where(
        inArray(
          metricSeries.metric,
          keys.map((key) => key.metric),
        ),
      )
      .all()
      .filter((row) => wanted.has(`${row.metric}\0${row.entity}`));
  });
}

// Every chart request names its series from this list: prepared once.
const allMetricSeries = preparedPerConnection((db) => db.select().from(metricSeries).prepare());

export function listMetricSeries(db: Db): MetricSeriesRow[] {
  return allMetricSeries(db).all();
}

/** One host sample: series id → value. A second sample at the same millisecond is dropped. */
export function insertHostSample(db: Db, t: number, values: ReadonlyMap<number, number>): void {
  db.insert(hostSamples)
    .values({ t, values: encodeSampleValues(values) })
    .onConflictDoNothing()
    .run();
}

/** Each rollup tier is built from the one before it. */
export const ROLLUP_SOURCE: Record<RollupTier, MetricTier> = {
  '1m': 'raw',
  '10m': '1m',
  '1h': '10m',
  '1d': '1h',
};

interface TierRow {
  t: number;
  values: Buffer;
}

const placeholder = sql.placeholder;

// Prepared once per connection: catching up on a backlog runs these thousands of times.
const rawRowsBetween = preparedPerConnection((db) =>
  db
    .select()
    .from(hostSamples)
    .where(and(gte(hostSamples.t, placeholder('from')), lt(hostSamples.t, placeholder('to'))))
    .orderBy(hostSamples.t)
    .prepare(),
);

const rollupRowsBetween = preparedPerConnection((db) =>
  db
    .select({ t: hostRollups.t, values: hostRollups.values })
    .from(hostRollups)
    .where(
      and(
        eq(hostRollups.tier, placeholder('tier')),
        gte(hostRollups.t, placeholder('from')),
        lt(hostRollups.t, placeholder('to')),
      ),
    )
    .orderBy(hostRollups.t)
    .prepare(),
);

/** A tier's rows with from ≤ t < to, oldest first. */
function readTier(db: Db, tier: MetricTier, from: number, to: number): TierRow[] {
  return tier === 'raw'
    ? rawRowsBetween(db).all({ from, to })
    : rollupRowsBetween(db).all({ tier, from, to });
}

const rawTimeAt = preparedPerConnection((db) =>
  db
    .select({ t: hostSamples.t })
    .from(hostSamples)
    .where(gte(hostSamples.t, placeholder('from')))
    .orderBy(hostSamples.t)
    .limit(1)
    .offset(placeholder('skip'))
    .prepare(),
);

const rollupTimeAt = preparedPerConnection((db) =>
  db
    .select({ t: hostRollups.t })
    .from(hostRollups)
    .where(and(eq(hostRollups.tier, placeholder('tier')), gte(hostRollups.t, placeholder('from'))))
    .orderBy(hostRollups.t)
    .limit(1)
    .offset(placeholder('skip'))
    .prepare(),
);

/**
 * The time of a tier's row at or after `from`, after skipping `skip` of them (0: the first);
 * undefined when there are not that many.
 */
export function tierRowTime(db: Db, tier: MetricTier, from: number, skip = 0): number | undefined {
  const row = tier === 'raw' ? rawTimeAt(db).get({ from, skip }) : rollupTimeAt(db).get({ tier, from, skip });
  return row?.t;
}

const rolledThrough = preparedPerConnection((db) =>
  db
    .select({ through: metricRollupProgress.rolledThrough })
    .from(metricRollupProgress)
    .where(eq(metricRollupProgress.tier, placeholder('tier')))
    .prepare(),
);

/** Every bucket of a tier before this time is final; undefined before its first rollup. */
export function getRolledThrough(db: Db, tier: RollupTier): number | undefined {
  return rolledThrough(db).get({ tier })?.through;
}

type AggregateVisitor = (seriesId: number, count: number, sum: number, min: number, max: number) => void;

/** Visits each series' aggregate in a row of any tier (a raw sample is count 1, sum = min = max = value). */
function visitAggregates(tier: MetricTier, blob: Buffer, visit: AggregateVisitor): void {
  if (tier === 'raw') decodeSampleValues(blob, (seriesId, value) => visit(seriesId, 1, value, value, value));
  else decodeAggregates(blob, visit);
}

const upsertRollup = preparedPerConnection((db) =>
  db
    .insert(hostRollups)
    .values({ tier: placeholder('tier'), t: placeholder('t'), values: placeholder('values') })
    .onConflictDoUpdate({
      target: [hostRollups.tier, hostRollups.t],
      set: { values: sql`excluded.${sql.identifier('values')}` },
    })
    .prepare(),
);

const setRolledThrough = preparedPerConnection((db) =>
  db
    .insert(metricRollupProgress)
    .values({ tier: placeholder('tier'), rolledThrough: placeholder('to') })
    .onConflictDoUpdate({
      target: metricRollupProgress.tier,
      set: { rolledThrough: sql`excluded.rolled_through` },
    })
    .prepare(),
);

/**
 * Rolls up the tier's buckets in [from, to) (bucket-aligned, all closed) from its source tier and
 * marks them done, in one transaction. Rewriting a bucket replaces it, so a repeat is harmless.
 * Returns the number of buckets written.
 */
export function rollUpBuckets(db: Db, tier: RollupTier, from: number, to: number): number {
  const stepMs = ROLLUP_STEP_MS[tier];
  const source = ROLLUP_SOURCE[tier];
  return db.transaction(() => {
    const buckets = new Map<number, Map<number, SeriesAggregate>>();
    for (const row of readTier(db, source, from, to)) {
      const start = Math.floor(row.t / stepMs) * stepMs;
      let bucket = buckets.get(start);
      if (!bucket) {
        bucket = new Map();
        buckets.set(start, bucket);
      }
      const into = bucket;
      visitAggregates(source, row.values, (seriesId, count, sum, min, max) =>
        mergeAggregate(into, seriesId, count, sum, min, max),
      );
    }
    for (const [t, aggregates] of buckets)
      upsertRollup(db).run({ tier, t, values: encodeAggregates(aggregates) });
    setRolledThrough(db).run({ tier, to });
    return buckets.size;
  });
}

const deleteRawBefore = preparedPerConnection((db) =>
  db
    .delete(hostSamples)
    .where(
      inArray(
        hostSamples.t,
        db
          .select({ t: hostSamples.t })
          .from(hostSamples)
          .where(lt(hostSamples.t, placeholder('before')))
          .orderBy(hostSamples.t)
          .limit(placeholder('limit')),
      ),
    )
    .prepare(),
);

const deleteRollupsBefore = preparedPerConnection((db) =>
  db
    .delete(hostRollups)
    .where(
      and(
        eq(hostRollups.tier, placeholder('tier')),
        inArray(
          hostRollups.t,
          db
            .select({ t: hostRollups.t })
            .from(hostRollups)
            .where(and(eq(hostRollups.tier, placeholder('tier')), lt(hostRollups.t, placeholder('before'))))
            .orderBy(hostRollups.t)
            .limit(placeholder('limit')),
        ),
      ),
    )
    .prepare(),
);

/** Deletes up to `limit` of a tier's oldest rows before `before`; returns how many went. */
export function deleteTierRowsBefore(db: Db, tier: MetricTier, before: number, limit: number): number {
  const result =
    tier === 'raw'
      ? deleteRawBefore(db).run({ before, limit })
      : deleteRollupsBefore(db).run({ tier, before, limit });
  return result.changes;
}

interface AlignedSeries {
  avg: (number | null)[];
  /** null on the raw tier, where each point is one sample. */
  min: (number | null)[] | null;
  max: (number | null)[] | null;
}

/**
 * Tier rows → one shared time axis and per-series value columns, null where a series is absent.
 * With `metrics`, the other series are skipped before their values are placed.
 */
function alignSeries(
  db: Db,
  tier: MetricTier,
  rows: TierRow[],
  metrics?: ReadonlySet<HostMetric>,
): { t: number[]; series: MetricSeriesDto[] } {
  const known = listMetricSeries(db).filter((row) => !metrics || metrics.has(row.metric));
  // Indexed by series id (small integers): a year is ~11,000 values to place.
  const wanted: boolean[] = [];
  for (const { id } of known) wanted[id] = true;
  const columns: (AlignedSeries | undefined)[] = [];
  const empty = () => new Array<number | null>(rows.length).fill(null);
  const raw = tier === 'raw';
  rows.forEach((row, index) => {
    visitAggregates(tier, row.values, (seriesId, count, sum, min, max) => {
      if (!wanted[seriesId]) return;
      let column = columns[seriesId];
      if (!column) {
        column = { avg: empty(), min: raw ? null : empty(), max: raw ? null : empty() };
        columns[seriesId] = column;
      }
      column.avg[index] = sum / count;
      if (column.min) column.min[index] = min;
      if (column.max) column.max[index] = max;
    });
  });
  const series: MetricSeriesDto[] = [];
  for (const { id, metric, entity } of known) {
    const column = columns[id];
    if (column) series.push({ metric, entity, ...column });
  }
  return { t: rows.map((row) => row.t), series };
}

const RUN_BAND_LIMIT = 1_000;
/**
 * Runs are found by creation time (the indexed column): one created this long before the range
 * and still going inside it is the only kind missed (agents time out after 24 h at most).
 */
const RUN_BAND_LOOKBACK_MS = 2 * 86_400_000;

// Prepared once: the 1-year chart reads up to a thousand bands on every request.
const runBandRows = preparedPerConnection((db) => {
  const e = executions;
  return db
    .select({
      id: e.id,
      agentName: agentConfigurations.name,
      status: e.status,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
    })
    .from(e)
    .innerJoin(agentConfigurations, eq(agentConfigurations.id, e.agentId))
    .where(
      and(
        gte(e.createdAt, placeholder('since')),
        lt(e.createdAt, placeholder('to')),
        isNotNull(e.startedAt),
        lt(e.startedAt, placeholder('to')),
        or(isNull(e.finishedAt), gte(e.finishedAt, placeholder('from'))),
      ),
    )
    .orderBy(desc(e.createdAt))
    .limit(placeholder('limit'))
    .prepare();
});

/** Runs that overlap [from, to): started before its end, not finished before its start; newest kept. */
export function getRunBands(
  db: Db,
  from: number,
  to: number,
  limit = RUN_BAND_LIMIT,
): { runs: RunBandDto[]; truncated: boolean } {
  const rows = runBandRows(db).all({ since: from - RUN_BAND_LOOKBACK_MS, from, to, limit: limit + 1 });
  const runs: RunBandDto[] = [];
  for (const row of rows.slice(0, limit)) {
    if (row.startedAt !== null) runs.push({ ...row, startedAt: row.startedAt });
  }
  return { runs: runs.reverse(), truncated: rows.length > limit };
}

/** A chart spans at least this many raw steps, so a server started a minute ago still draws a line. */
const MIN_SPAN_STEPS = 12;

/**
 * Where the data of a window starts: its oldest raw sample at or after `from`, or an older rollup
 * bucket that ends before that sample (raw samples are pruned first). A rollup row is dated by its
 * bucket's start, which may be long before its first sample: a 10-minute bucket that holds only
 * the last minute's samples does not say the data starts ten minutes ago.
 */
function oldestSampleSince(db: Db, from: number): number | undefined {
  let oldest = tierRowTime(db, 'raw', from);
  for (const tier of METRIC_TIERS) {
    if (tier === 'raw') continue;
    const t = tierRowTime(db, tier, from);
    if (t !== undefined && t + ROLLUP_STEP_MS[tier] <= (oldest ?? Number.POSITIVE_INFINITY)) oldest = t;
  }
  return oldest;
}

/**
 * A chart window: a named range back from `now`, or a custom one. It starts where the data does
 * when that is later (a server running for an hour shows that hour on the 30-day chart, not a
 * sliver at its right edge), and the tier is the finest that draws the span actually covered in no
 * more points than a chart has pixels, so a short history is not one rollup point. Rows are
 * aligned on one time axis, with the runs to draw on it.
 */
export function getMetricsRange(db: Db, request: MetricsWindowRequest, now: number): MetricsRangeDto {
  const rawStepMs = runOnSqlite(getAppSettings(sqliteStore(db))).metricsIntervalSeconds * 1000;
  const named = typeof request === 'string';
  const requested = named ? { from: now - METRIC_RANGE_MS[request], to: now } : request;
  const oldest = oldestSampleSince(db, requested.from);
  // Data from nearly the start of the window (a twentieth of it): the window as asked.
  const slack = (requested.to - requested.from) / 20;
  const dataFrom =
    oldest === undefined || oldest >= requested.to || oldest - requested.from <= slack
      ? requested.from
      : oldest;
  const from = Math.max(requested.from, Math.min(dataFrom, requested.to - MIN_SPAN_STEPS * rawStepMs));
  const to = requested.to;
  const { tier, stepMs } = tierForSpan(to - from, rawStepMs);
  // A bucket starting before `from` would also hold samples from outside the range.
  const firstBucket = Math.ceil(from / stepMs) * stepMs;
  const rows = readTier(db, tier, tier === 'raw' ? from : firstBucket, to + 1);
  const { runs, truncated } = getRunBands(db, from, to);
  return {
    range: named ? request : 'custom',
    requested,
    tier,
    stepMs,
    from,
    to,
    ...alignSeries(db, tier, rows),
    runs,
    runsTruncated: truncated,
  };
}

/** The raw samples of the last `spanMs` for a few metrics: what the dashboard's sparklines start from. */
export function getRecentMetrics(
  db: Db,
  now: number,
  spanMs: number,
  metrics: readonly HostMetric[],
): MetricsWindowDto {
  const from = now - spanMs;
  const rows = readTier(db, 'raw', from, now + 1);
  return {
    tier: 'raw',
    stepMs: runOnSqlite(getAppSettings(sqliteStore(db))).metricsIntervalSeconds * 1000,
    from,
    to: now,
    ...alignSeries(db, 'raw', rows, new Set(metrics)),
  };
}

const TERMINAL_STATUSES = notInArray(executions.status, [...ACTIVE_STATUSES]);

export interface PrometheusTotals {
  /** Finished runs by how they ended: only grows, so it can be a counter. */
  runsByStatus: { status: ExecutionStatus; count: number }[];
  /** All-time tokens and cost by model, from the monthly summaries. */
  byModel: {
    model: string;
    inputTokens: number;
    outputTokens: number;
    cacheCreationTokens: number;
    cacheReadTokens: number;
    costUsd: number;
  }[];
}

/** All-time totals behind the Prometheus counters. */
export function getPrometheusTotals(db: Db): PrometheusTotals {
  const runsByStatus = db
    .select({ status: executions.status, count: sql<number>`count(*)` })
    .from(executions)
    .where(TERMINAL_STATUSES)
    .groupBy(executions.status)
    .orderBy(executions.status)
    .all();
  const m = monthlyCostSummaries;
  const byModel = db
    .select({
      model: m.model,
      inputTokens: sumOf(m.inputTokens),
      outputTokens: sumOf(m.outputTokens),
      cacheCreationTokens: sumOf(m.cacheCreationTokens),
      cacheReadTokens: sumOf(m.cacheReadTokens),
      costMicros: sumOf(m.costMicros),
    })
    .from(m)
    .groupBy(m.model)
    .orderBy(m.model)
    .all()
    .map(({ costMicros, ...row }) => ({ ...row, costUsd: microsToUsd(costMicros) }));
  return { runsByStatus, byModel };
}
