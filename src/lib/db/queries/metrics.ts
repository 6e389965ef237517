import {
  and,
  count,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  ne,
  notInArray,
  or,
  sql,
} from 'drizzle-orm';
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
import {
  decodeAggregates,
  decodeSampleValues,
  encodeAggregates,
  encodeSampleValues,
  mergeAggregate,
  type SeriesAggregate,
} from '../metricBlobs';
import { changesOf, type Plan, preparedChangesOf, preparedRowsOf, rowsOf } from '../plan';
import { preparedPerStore } from '../prepared';
import type { MetricSeriesRow } from '../schema';
import { UNNAMED_HOST } from '../schema/metrics';
import type { Store } from '../store';
import { sumOf } from './costs';
import { getAppSettings } from './settings';

// Dialect-neutral plans (see plan.ts). What runs per sample, per rollup chunk and per chart request
// is prepared once per connection (preparedPerStore): drizzle composing it costs more than the
// database's answer. Samples and rollups are blobs (metricBlobs.ts): a SQLite blob, a Postgres
// bytea, a Buffer either way; the buckets are computed here, so no SQL differs by dialect.

export interface SeriesKey {
  metric: HostMetric;
  entity: string;
}

/** The ids of these series, creating the ones never recorded before (run it in a transaction). */
export function* ensureMetricSeries(
  { db, t }: Store,
  keys: readonly SeriesKey[],
  now: number,
): Plan<MetricSeriesRow[]> {
  yield* changesOf(
    db
      .insert(t.metricSeries)
      .values(keys.map(({ metric, entity }) => ({ metric, entity, createdAt: now })))
      .onConflictDoNothing(),
  );
  const wanted = new Set(keys.map(({ metric, entity }) => `${metric}\0${entity}`));
  const rows = yield* rowsOf(
    db
      .select()
      .from(t.metricSeries)
      .where(
        inArray(
          t.metricSeries.metric,
          keys.map((key) => key.metric),
        ),
      )
      .orderBy(t.metricSeries.id),
  );
  return rows.filter((row) => wanted.has(`${row.metric}\0${row.entity}`));
}

// Every chart request names its series from this list: prepared once. By id, the order they were
// first recorded in (Postgres gives no order unasked).
const allMetricSeries = preparedPerStore(({ db, t }: Store) =>
  db.select().from(t.metricSeries).orderBy(t.metricSeries.id).prepare(),
);

export function* listMetricSeries(store: Store): Plan<MetricSeriesRow[]> {
  return yield* preparedRowsOf(allMetricSeries(store), {});
}

const placeholder = sql.placeholder;

// The sampler writes one every few seconds.
const insertSample = preparedPerStore(({ db, t }: Store) =>
  db
    .insert(t.hostSamples)
    .values({ host: placeholder('host'), t: placeholder('t'), values: placeholder('values') })
    .onConflictDoNothing()
    .prepare(),
);

/**
 * One sample of `host`: series id → value. A second sample of the host at the same millisecond is
 * dropped (two processes of one host sampling the same slot: the first stored counts).
 */
export function* insertHostSample(
  store: Store,
  host: string,
  t: number,
  values: ReadonlyMap<number, number>,
): Plan<void> {
  yield* preparedChangesOf(insertSample(store), { host, t, values: encodeSampleValues(values) });
}

/**
 * Takes the rows recorded before hosts were told apart (UNNAMED_HOST) for `host`: the one machine
 * that wrote them then. The first collector to start after the upgrade does it; later, nothing is
 * left to take. Run it in a transaction.
 */
export function* adoptUnnamedHostRows({ db, t }: Store, host: string): Plan<number> {
  let adopted = 0;
  for (const table of [t.hostSamples, t.hostRollups, t.metricRollupProgress])
    adopted += yield* changesOf(db.update(table).set({ host }).where(eq(table.host, UNNAMED_HOST)));
  return adopted;
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

// Prepared once per connection: catching up on a backlog runs these thousands of times.
const rawRowsBetween = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ t: t.hostSamples.t, values: t.hostSamples.values })
    .from(t.hostSamples)
    .where(
      and(
        eq(t.hostSamples.host, placeholder('host')),
        gte(t.hostSamples.t, placeholder('from')),
        lt(t.hostSamples.t, placeholder('to')),
      ),
    )
    .orderBy(t.hostSamples.t)
    .prepare(),
);

const rollupRowsBetween = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ t: t.hostRollups.t, values: t.hostRollups.values })
    .from(t.hostRollups)
    .where(
      and(
        eq(t.hostRollups.host, placeholder('host')),
        eq(t.hostRollups.tier, placeholder('tier')),
        gte(t.hostRollups.t, placeholder('from')),
        lt(t.hostRollups.t, placeholder('to')),
      ),
    )
    .orderBy(t.hostRollups.t)
    .prepare(),
);

/** A host's rows of a tier with from ≤ t < to, oldest first. */
function* readTier(store: Store, host: string, tier: MetricTier, from: number, to: number): Plan<TierRow[]> {
  return tier === 'raw'
    ? yield* preparedRowsOf(rawRowsBetween(store), { host, from, to })
    : yield* preparedRowsOf(rollupRowsBetween(store), { host, tier, from, to });
}

const rawTimeAt = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ t: t.hostSamples.t })
    .from(t.hostSamples)
    .where(and(eq(t.hostSamples.host, placeholder('host')), gte(t.hostSamples.t, placeholder('from'))))
    .orderBy(t.hostSamples.t)
    .limit(1)
    .offset(placeholder('skip'))
    .prepare(),
);

const rollupTimeAt = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ t: t.hostRollups.t })
    .from(t.hostRollups)
    .where(
      and(
        eq(t.hostRollups.host, placeholder('host')),
        eq(t.hostRollups.tier, placeholder('tier')),
        gte(t.hostRollups.t, placeholder('from')),
      ),
    )
    .orderBy(t.hostRollups.t)
    .limit(1)
    .offset(placeholder('skip'))
    .prepare(),
);

/**
 * The time of a host's row of a tier at or after `from`, after skipping `skip` of them (0: the
 * first); undefined when there are not that many.
 */
export function* tierRowTime(
  store: Store,
  host: string,
  tier: MetricTier,
  from: number,
  skip = 0,
): Plan<number | undefined> {
  const [row] =
    tier === 'raw'
      ? yield* preparedRowsOf(rawTimeAt(store), { host, from, skip })
      : yield* preparedRowsOf(rollupTimeAt(store), { host, tier, from, skip });
  return row?.t;
}

const rolledThrough = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ through: t.metricRollupProgress.rolledThrough })
    .from(t.metricRollupProgress)
    .where(
      and(
        eq(t.metricRollupProgress.host, placeholder('host')),
        eq(t.metricRollupProgress.tier, placeholder('tier')),
      ),
    )
    .prepare(),
);

/** The hosts whose metrics are recorded (each from its first sample: registerMetricHost). */
export function* listMetricHosts({ db, t }: Store): Plan<string[]> {
  const p = t.metricRollupProgress;
  const rows = yield* rowsOf(
    db.selectDistinct({ host: p.host }).from(p).where(ne(p.host, UNNAMED_HOST)).orderBy(p.host),
  );
  return rows.map((row) => row.host);
}

/** When `host` stored its newest sample still kept; undefined when none is. */
function* lastSampleAt({ db, t }: Store, host: string): Plan<number | undefined> {
  const samples = t.hostSamples;
  const [row] = yield* rowsOf(
    db.select({ t: samples.t }).from(samples).where(eq(samples.host, host)).orderBy(desc(samples.t)).limit(1),
  );
  return row?.t;
}

/**
 * The hosts whose metrics are recorded, split by whether each stored a sample after `since` (one
 * look up its key per host).
 */
export function* metricHostsBySampledAfter(
  store: Store,
  since: number,
): Plan<{ sampling: string[]; silent: string[] }> {
  const split = { sampling: [] as string[], silent: [] as string[] };
  for (const host of yield* listMetricHosts(store)) {
    const last = yield* lastSampleAt(store, host);
    (last !== undefined && last > since ? split.sampling : split.silent).push(host);
  }
  return split;
}

/**
 * Takes `host` off the list of hosts once none of its samples or rollups is left (its rollup
 * progress goes). Returns whether it did. Run it in a transaction.
 */
export function* forgetHostWithoutRows({ db, t }: Store, host: string): Plan<boolean> {
  for (const table of [t.hostSamples, t.hostRollups]) {
    const [left] = yield* rowsOf(db.select({ t: table.t }).from(table).where(eq(table.host, host)).limit(1));
    if (left) return false;
  }
  const progress = t.metricRollupProgress;
  return (yield* changesOf(db.delete(progress).where(eq(progress.host, host)))) > 0;
}

/**
 * Lists `host` among the hosts from its first sample, not only from its first rollup a minute
 * in: its minute tier is marked rolled up through the bucket of its oldest kept sample (nothing
 * before it exists). So a host that lives under a minute is still maintained, and retired, by the
 * others. A host's progress already stored is kept. Run it in a transaction.
 */
export function* registerMetricHost(store: Store, host: string, at: number): Plan<void> {
  const oldest = yield* tierRowTime(store, host, 'raw', Number.MIN_SAFE_INTEGER);
  const stepMs = ROLLUP_STEP_MS['1m'];
  const through = Math.floor(Math.min(oldest ?? at, at) / stepMs) * stepMs;
  const { db, t } = store;
  yield* changesOf(
    db
      .insert(t.metricRollupProgress)
      .values({ host, tier: '1m', rolledThrough: through })
      .onConflictDoNothing(),
  );
}

/** Every bucket of a host's tier before this time is final; undefined before its first rollup. */
export function* getRolledThrough(store: Store, host: string, tier: RollupTier): Plan<number | undefined> {
  const [row] = yield* preparedRowsOf(rolledThrough(store), { host, tier });
  return row?.through;
}

type AggregateVisitor = (seriesId: number, count: number, sum: number, min: number, max: number) => void;

/** Visits each series' aggregate in a row of any tier (a raw sample is count 1, sum = min = max = value). */
function visitAggregates(tier: MetricTier, blob: Buffer, visit: AggregateVisitor): void {
  if (tier === 'raw') decodeSampleValues(blob, (seriesId, value) => visit(seriesId, 1, value, value, value));
  else decodeAggregates(blob, visit);
}

// `excluded` names the row that was not inserted, on both dialects.
const upsertRollup = preparedPerStore(({ db, t }: Store) =>
  db
    .insert(t.hostRollups)
    .values({
      host: placeholder('host'),
      tier: placeholder('tier'),
      t: placeholder('t'),
      values: placeholder('values'),
    })
    .onConflictDoUpdate({
      target: [t.hostRollups.host, t.hostRollups.tier, t.hostRollups.t],
      set: { values: sql`excluded.${sql.identifier('values')}` },
    })
    .prepare(),
);

const setRolledThrough = preparedPerStore(({ db, t }: Store) =>
  db
    .insert(t.metricRollupProgress)
    .values({ host: placeholder('host'), tier: placeholder('tier'), rolledThrough: placeholder('to') })
    .onConflictDoUpdate({
      target: [t.metricRollupProgress.host, t.metricRollupProgress.tier],
      set: { rolledThrough: sql`excluded.rolled_through` },
    })
    .prepare(),
);

/** A tier's rows summed into buckets of `stepMs`: bucket start → series id → aggregate. */
function bucketsOf(
  source: MetricTier,
  rows: TierRow[],
  stepMs: number,
): Map<number, Map<number, SeriesAggregate>> {
  const buckets = new Map<number, Map<number, SeriesAggregate>>();
  for (const row of rows) {
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
  return buckets;
}

/**
 * Rolls up a host's buckets of the tier in [from, to) (bucket-aligned, all closed) from its source
 * tier and marks them done; run it in one transaction. Rewriting a bucket replaces it, so a repeat
 * is harmless. Returns the number of buckets written.
 */
export function* rollUpBuckets(
  store: Store,
  host: string,
  tier: RollupTier,
  from: number,
  to: number,
): Plan<number> {
  const source = ROLLUP_SOURCE[tier];
  const buckets = bucketsOf(source, yield* readTier(store, host, source, from, to), ROLLUP_STEP_MS[tier]);
  for (const [t, aggregates] of buckets)
    yield* preparedChangesOf(upsertRollup(store), { host, tier, t, values: encodeAggregates(aggregates) });
  yield* preparedChangesOf(setRolledThrough(store), { host, tier, to });
  return buckets.size;
}

const deleteRawBefore = preparedPerStore(({ db, t }: Store) =>
  db
    .delete(t.hostSamples)
    .where(
      and(
        eq(t.hostSamples.host, placeholder('host')),
        inArray(
          t.hostSamples.t,
          db
            .select({ t: t.hostSamples.t })
            .from(t.hostSamples)
            .where(
              and(eq(t.hostSamples.host, placeholder('host')), lt(t.hostSamples.t, placeholder('before'))),
            )
            .orderBy(t.hostSamples.t)
            .limit(placeholder('limit')),
        ),
      ),
    )
    .prepare(),
);

const deleteRollupsBefore = preparedPerStore(({ db, t }: Store) =>
  db
    .delete(t.hostRollups)
    .where(
      and(
        eq(t.hostRollups.host, placeholder('host')),
        eq(t.hostRollups.tier, placeholder('tier')),
        inArray(
          t.hostRollups.t,
          db
            .select({ t: t.hostRollups.t })
            .from(t.hostRollups)
            .where(
              and(
                eq(t.hostRollups.host, placeholder('host')),
                eq(t.hostRollups.tier, placeholder('tier')),
                lt(t.hostRollups.t, placeholder('before')),
              ),
            )
            .orderBy(t.hostRollups.t)
            .limit(placeholder('limit')),
        ),
      ),
    )
    .prepare(),
);

/** Deletes up to `limit` of a host's oldest rows of a tier before `before`; returns how many went. */
export function* deleteTierRowsBefore(
  store: Store,
  host: string,
  tier: MetricTier,
  before: number,
  limit: number,
): Plan<number> {
  return tier === 'raw'
    ? yield* preparedChangesOf(deleteRawBefore(store), { host, before, limit })
    : yield* preparedChangesOf(deleteRollupsBefore(store), { host, tier, before, limit });
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
function* alignSeries(
  store: Store,
  tier: MetricTier,
  rows: TierRow[],
  metrics?: ReadonlySet<HostMetric>,
): Plan<{ t: number[]; series: MetricSeriesDto[] }> {
  const known = (yield* listMetricSeries(store)).filter((row) => !metrics || metrics.has(row.metric));
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

// Prepared once: the 1-year chart reads up to a thousand bands on every request. Runs created in
// the same millisecond come newest id first (Postgres orders ties anyhow).
const runBandRows = preparedPerStore(({ db, t }: Store) => {
  const e = t.executions;
  return db
    .select({
      id: e.id,
      agentName: t.agentConfigurations.name,
      status: e.status,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
    })
    .from(e)
    .innerJoin(t.agentConfigurations, eq(t.agentConfigurations.id, e.agentId))
    .innerJoin(t.workers, and(eq(t.workers.id, e.workerId), eq(t.workers.host, placeholder('host'))))
    .where(
      and(
        gte(e.createdAt, placeholder('since')),
        lt(e.createdAt, placeholder('to')),
        isNotNull(e.startedAt),
        lt(e.startedAt, placeholder('to')),
        or(isNull(e.finishedAt), gte(e.finishedAt, placeholder('from'))),
      ),
    )
    .orderBy(desc(e.createdAt), desc(e.id))
    .limit(placeholder('limit'))
    .prepare();
});

/**
 * The runs of `host` (their worker's) that overlap [from, to): started before its end, not finished
 * before its start; newest kept. A run that names no worker has no process on any host: parked
 * waiting for an answer, or recorded before workers were.
 */
export function* getRunBands(
  store: Store,
  host: string,
  from: number,
  to: number,
  limit = RUN_BAND_LIMIT,
): Plan<{ runs: RunBandDto[]; truncated: boolean }> {
  const rows = yield* preparedRowsOf(runBandRows(store), {
    host,
    since: from - RUN_BAND_LOOKBACK_MS,
    from,
    to,
    limit: limit + 1,
  });
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
function* oldestSampleSince(store: Store, host: string, from: number): Plan<number | undefined> {
  let oldest = yield* tierRowTime(store, host, 'raw', from);
  for (const tier of METRIC_TIERS) {
    if (tier === 'raw') continue;
    const t = yield* tierRowTime(store, host, tier, from);
    if (t !== undefined && t + ROLLUP_STEP_MS[tier] <= (oldest ?? Number.POSITIVE_INFINITY)) oldest = t;
  }
  return oldest;
}

/** The collector's interval: the raw tier's step. */
function* rawStepMs(store: Store): Plan<number> {
  return (yield* getAppSettings(store)).metricsIntervalSeconds * 1000;
}

/**
 * A chart window of `host`: a named range back from `now`, or a custom one. It starts where the data does
 * when that is later (a server running for an hour shows that hour on the 30-day chart, not a
 * sliver at its right edge), and the tier is the finest that draws the span actually covered in no
 * more points than a chart has pixels, so a short history is not one rollup point. Rows are
 * aligned on one time axis, with the runs to draw on it.
 */
export function* getMetricsRange(
  store: Store,
  host: string,
  request: MetricsWindowRequest,
  now: number,
): Plan<MetricsRangeDto> {
  const rawStep = yield* rawStepMs(store);
  const named = typeof request === 'string';
  const requested = named ? { from: now - METRIC_RANGE_MS[request], to: now } : request;
  const oldest = yield* oldestSampleSince(store, host, requested.from);
  // Data from nearly the start of the window (a twentieth of it): the window as asked.
  const slack = (requested.to - requested.from) / 20;
  const dataFrom =
    oldest === undefined || oldest >= requested.to || oldest - requested.from <= slack
      ? requested.from
      : oldest;
  const from = Math.max(requested.from, Math.min(dataFrom, requested.to - MIN_SPAN_STEPS * rawStep));
  const to = requested.to;
  const { tier, stepMs } = tierForSpan(to - from, rawStep);
  // A bucket starting before `from` would also hold samples from outside the range.
  const firstBucket = Math.ceil(from / stepMs) * stepMs;
  const rows = yield* readTier(store, host, tier, tier === 'raw' ? from : firstBucket, to + 1);
  const { runs, truncated } = yield* getRunBands(store, host, from, to);
  return {
    host,
    range: named ? request : 'custom',
    requested,
    tier,
    stepMs,
    from,
    to,
    ...(yield* alignSeries(store, tier, rows)),
    runs,
    runsTruncated: truncated,
  };
}

/** A host's raw samples of the last `spanMs` for a few metrics: what the dashboard's sparklines start from. */
export function* getRecentMetrics(
  store: Store,
  host: string,
  now: number,
  spanMs: number,
  metrics: readonly HostMetric[],
): Plan<MetricsWindowDto> {
  const from = now - spanMs;
  const rows = yield* readTier(store, host, 'raw', from, now + 1);
  return {
    tier: 'raw',
    stepMs: yield* rawStepMs(store),
    from,
    to: now,
    ...(yield* alignSeries(store, 'raw', rows, new Set(metrics))),
  };
}

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

/** All-time totals behind the Prometheus counters (counts and sums read as numbers on both dialects). */
export function* getPrometheusTotals({ db, t }: Store): Plan<PrometheusTotals> {
  const e = t.executions;
  const runsByStatus = yield* rowsOf(
    db
      .select({ status: e.status, count: count() })
      .from(e)
      .where(notInArray(e.status, [...ACTIVE_STATUSES]))
      .groupBy(e.status)
      .orderBy(e.status),
  );
  const m = t.monthlyCostSummaries;
  const byModel = yield* rowsOf(
    db
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
      .orderBy(m.model),
  );
  return {
    runsByStatus,
    byModel: byModel.map(({ costMicros, ...row }) => ({ ...row, costUsd: microsToUsd(costMicros) })),
  };
}
