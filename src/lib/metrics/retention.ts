import {
  METRIC_RANGE_MS,
  METRIC_TIERS,
  type MetricTier,
  RETIRED_HOST_AFTER_MS,
  ROLLUP_STEP_MS,
  type RollupTier,
} from '../contracts/metrics';
import type { AppSettingsDto } from '../contracts/settings';
import { WORKER_VITALS_KEPT_MS } from '../contracts/workers';
import { freelistPages, incrementalVacuum } from '../db/autoVacuum';
import { execute, transaction } from '../db/plan';
import {
  deleteTierRowsBefore,
  forgetHostWithoutRows,
  getRolledThrough,
  metricHostsBySampledAfter,
  ROLLUP_SOURCE,
  rollUpBuckets,
  tierRowTime,
} from '../db/queries/metrics';
import { pruneWorkerVitals } from '../db/queries/workers';
import type { Store } from '../db/store';
import { forgetHostConditions } from '../notifications/hostConditions';
// Maintenance yields between two transactions, so it never holds the event loop (or the write lock) long.
import { type Pause, yieldToEventLoop } from './eventLoop';

/** How long each configurable tier is kept, in ms. */
export interface MetricsRetention {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The collector's interval and the retention, from the application settings. */
export function hostMetricsSettings(settings: AppSettingsDto): {
  intervalMs: number;
  retention: MetricsRetention;
} {
  return {
    intervalMs: settings.metricsIntervalSeconds * 1000,
    retention: {
      rawMs: settings.metricsRawRetentionHours * HOUR_MS,
      minuteMs: settings.metricsMinuteRetentionDays * DAY_MS,
      hourMs: settings.metricsHourRetentionDays * DAY_MS,
    },
  };
}

/** The 10-minute tier serves the 7-day chart, the daily tier the 1-year chart. */
function tierRetentionMs(tier: MetricTier, retention: MetricsRetention): number {
  switch (tier) {
    case 'raw':
      return retention.rawMs;
    case '1m':
      return retention.minuteMs;
    case '10m':
      return Math.max(retention.minuteMs, METRIC_RANGE_MS['7d']);
    case '1h':
    case '1d':
      return retention.hourMs;
  }
}

const ROLLUP_TIERS = Object.keys(ROLLUP_STEP_MS) as RollupTier[];
/**
 * Source rows read per transaction (~1,000 rows: a few ms). In steady state a round rolls up a
 * bucket or two; this bounds the catch-up after a long stop, or after a first start on a backlog.
 */
const ROLLUP_CHUNK_ROWS = 1_000;

/** A host's buckets of a tier in [from, to), in one transaction. */
const rollUp = (store: Store, host: string, tier: RollupTier, from: number, to: number) =>
  transaction(store, (tx) => rollUpBuckets(tx, host, tier, from, to));

/**
 * Rolls up every closed bucket of `host` not rolled up yet, tier after tier, each chunk in its own
 * transaction. A raw bucket is closed once `now` is past its end: samples are written in order,
 * before maintenance runs. A rollup bucket is closed once its source tier is rolled past its end.
 * Returns the number of buckets written.
 */
export async function rollUpClosedBuckets(
  store: Store,
  host: string,
  now: number,
  pause: Pause = yieldToEventLoop,
): Promise<number> {
  let written = 0;
  for (const tier of ROLLUP_TIERS) {
    const stepMs = ROLLUP_STEP_MS[tier];
    const source = ROLLUP_SOURCE[tier];
    const sourceClosed = source === 'raw' ? now : await execute(store, getRolledThrough(store, host, source));
    if (sourceClosed === undefined) continue;
    const closedEnd = Math.floor(sourceClosed / stepMs) * stepMs;
    let from = await execute(store, getRolledThrough(store, host, tier));
    const bucketOf = (t: number) => Math.floor(t / stepMs) * stepMs;
    for (;;) {
      const next = await execute(store, tierRowTime(store, host, source, from ?? Number.MIN_SAFE_INTEGER));
      if (next === undefined || next >= closedEnd) {
        // Nothing more to roll up: still move past the empty stretch, so later tiers can close.
        if (from !== undefined && from < closedEnd) await rollUp(store, host, tier, from, closedEnd);
        break;
      }
      // Start at the next row, skipping an empty stretch (the server was off) in one step.
      const start = Math.max(from ?? Number.MIN_SAFE_INTEGER, bucketOf(next));
      // End at the bucket holding the chunk's last row (a bucket is never split).
      const last = await execute(store, tierRowTime(store, host, source, start, ROLLUP_CHUNK_ROWS));
      const end = Math.min(
        closedEnd,
        last === undefined ? closedEnd : Math.max(start + stepMs, bucketOf(last)),
      );
      written += await rollUp(store, host, tier, start, end);
      from = end;
      await pause();
    }
  }
  return written;
}

/** The tier rolled up from each tier: its rows may only go once that tier has them. */
const CONSUMER = Object.fromEntries(ROLLUP_TIERS.map((tier) => [ROLLUP_SOURCE[tier], tier])) as Partial<
  Record<MetricTier, RollupTier>
>;

/** Rows deleted per transaction (~200 KB of raw rows): each holds the write lock a few ms. */
const PRUNE_BATCH = 500;

/**
 * Deletes what of `host` is older than each tier's retention, in small batches, never a row its
 * next tier has not rolled up yet. Returns the number of rows deleted.
 */
export async function pruneExpired(
  store: Store,
  host: string,
  now: number,
  retention: MetricsRetention,
  pause: Pause = yieldToEventLoop,
): Promise<number> {
  let deleted = 0;
  for (const tier of METRIC_TIERS) {
    const consumer = CONSUMER[tier];
    const rolledUp = consumer
      ? ((await execute(store, getRolledThrough(store, host, consumer))) ?? Number.MIN_SAFE_INTEGER)
      : Infinity;
    const cutoff = Math.min(now - tierRetentionMs(tier, retention), rolledUp);
    for (;;) {
      const batch = await execute(store, deleteTierRowsBefore(store, host, tier, cutoff, PRUNE_BATCH));
      deleted += batch;
      await pause();
      if (batch < PRUNE_BATCH) break;
    }
  }
  return deleted;
}

/** Free pages handed back per transaction (1 MiB of 4 KiB pages). */
const VACUUM_PAGES = 256;

/**
 * Gives the pages deletions freed back to the file system, so the SQLite file shrinks with the
 * data. Needs `auto_vacuum = INCREMENTAL` (ensureIncrementalAutoVacuum); without it nothing is
 * freed and this stops at once. Returns the pages freed. Postgres has no such step: its autovacuum
 * makes the deleted rows' space reusable by later inserts on its own (0 here).
 */
export async function reclaimFreePages(store: Store, pause: Pause = yieldToEventLoop): Promise<number> {
  if (store.dialect === 'postgres') return 0;
  const { db } = store;
  const start = freelistPages(db);
  let left = start;
  while (left > 0) {
    incrementalVacuum(db, VACUUM_PAGES);
    const after = freelistPages(db);
    if (after >= left) break;
    left = after;
    await pause();
  }
  return start - left;
}

/**
 * The rows of the hosts taken for retired (no sample for RETIRED_HOST_AFTER_MS), which no process
 * of theirs maintains any more: rolled up and pruned as their own collector would, until nothing
 * of a host is left and it leaves the list of hosts. Its notification conditions go at once:
 * nothing checks them any more, and nobody knows whether they still hold.
 */
export async function maintainRetiredHosts(
  store: Store,
  self: string,
  now: number,
  retention: MetricsRetention,
  pause: Pause = yieldToEventLoop,
): Promise<{ bucketsWritten: number; rowsDeleted: number }> {
  const { silent } = await execute(store, metricHostsBySampledAfter(store, now - RETIRED_HOST_AFTER_MS));
  let bucketsWritten = 0;
  let rowsDeleted = 0;
  for (const host of silent.filter((host) => host !== self)) {
    bucketsWritten += await rollUpClosedBuckets(store, host, now, pause);
    rowsDeleted += await pruneExpired(store, host, now, retention, pause);
    await transaction(store, function* (tx) {
      yield* forgetHostConditions(tx, host);
      yield* forgetHostWithoutRows(tx, host);
    });
  }
  return { bucketsWritten, rowsDeleted };
}

/**
 * One maintenance round of `host`'s metrics: roll up, prune, give space back. Each host's
 * collector maintains its own rows, and the rows of the hosts taken for retired. The worker
 * hosts' beat figures older than a day go too (any host's: a minute's beats when run each minute,
 * one short statement).
 */
export async function maintainHostMetrics(
  store: Store,
  host: string,
  now: number,
  retention: MetricsRetention,
  pause: Pause = yieldToEventLoop,
): Promise<{ bucketsWritten: number; rowsDeleted: number; pagesFreed: number }> {
  const ownBuckets = await rollUpClosedBuckets(store, host, now, pause);
  const ownRows =
    (await pruneExpired(store, host, now, retention, pause)) +
    (await execute(store, pruneWorkerVitals(store, now - WORKER_VITALS_KEPT_MS)));
  // Its own rows first: a retired host's bad row must not hold up this host's rollups.
  const retired = await maintainRetiredHosts(store, host, now, retention, pause);
  const bucketsWritten = ownBuckets + retired.bucketsWritten;
  const rowsDeleted = ownRows + retired.rowsDeleted;
  const pagesFreed = rowsDeleted > 0 ? await reclaimFreePages(store, pause) : 0;
  return { bucketsWritten, rowsDeleted, pagesFreed };
}
