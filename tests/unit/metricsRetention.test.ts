import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thisHost } from '../../src/lib/config/host';
import {
  type HostMetric,
  METRIC_RANGE_MS,
  METRIC_RANGES,
  type MetricRange,
  type MetricsRangeDto,
  ROLLUP_STEP_MS,
  type RollupTier,
  tierForSpan,
} from '../../src/lib/contracts/metrics';
import { type DbHandle, openDatabase } from '../../src/lib/db';
import { ensureIncrementalAutoVacuum, freelistPages } from '../../src/lib/db/autoVacuum';
import { decodeAggregates, encodeSampleValues, type SeriesAggregate } from '../../src/lib/db/metricBlobs';
import { applyMigrations } from '../../src/lib/db/migrate';
import { onSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { ensureMetricSeries, getMetricsRange } from '../../src/lib/db/queries/metrics';
import { sqliteStore } from '../../src/lib/db/store';
import {
  type MetricsRetention,
  pruneExpired,
  reclaimFreePages,
  rollUpClosedBuckets,
} from '../../src/lib/metrics/retention';
import { seededRandom } from '../helpers/seededRandom';
import { createTestDb } from '../helpers/testDb';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Not on any bucket boundary, so the open buckets at the end are really open. */
const NOW = Date.UTC(2026, 10, 20, 12, 3, 7, 250);
const START = NOW - 380 * DAY;
const RETENTION: MetricsRetention = { rawMs: 48 * HOUR, minuteMs: 30 * DAY, hourMs: 365 * DAY };

const SERIES = [
  { metric: 'cpu.busy', entity: '' },
  { metric: 'memory.used', entity: '' },
  // An interface that appeared 150 days ago.
  { metric: 'net.rx', entity: 'eth1' },
] as const satisfies readonly { metric: HostMetric; entity: string }[];
const ETH1_SINCE = NOW - 150 * DAY;

interface GeneratedSample {
  t: number;
  values: Map<number, number>;
}

/**
 * A year and two weeks of samples: one every ~10 minutes, every 5 s in three busy stretches
 * (the last two hours among them), and none for three days 100 days ago (the server was off).
 */
function generateYear(ids: number[]): GeneratedSample[] {
  const random = seededRandom(12);
  const dense = [
    [NOW - 2 * HOUR, NOW],
    [NOW - 20 * DAY, NOW - 20 * DAY + 3 * HOUR],
    [NOW - 200 * DAY, NOW - 200 * DAY + 3 * HOUR],
  ];
  const isDense = (t: number) => dense.some(([from = 0, to = 0]) => t >= from && t < to);
  const isOff = (t: number) => t >= NOW - 100 * DAY && t < NOW - 97 * DAY;
  const [cpu = 0, memory = 0, eth1 = 0] = ids;
  const samples: GeneratedSample[] = [];
  for (let t = START; t < NOW; t += isDense(t) ? 5_000 : 9 * MINUTE + Math.floor(random() * 2 * MINUTE)) {
    if (isOff(t)) continue;
    const values = new Map<number, number>([
      [cpu, random()],
      [memory, Math.floor(8e9 + random() * 8e9)],
    ]);
    if (t >= ETH1_SINCE) values.set(eth1, random() * 1e6);
    samples.push({ t, values });
  }
  return samples;
}

/** What a tier's buckets must hold, computed straight from the generated samples. */
function expectedBuckets(samples: GeneratedSample[], stepMs: number, from: number, to: number) {
  const buckets = new Map<number, Map<number, SeriesAggregate>>();
  for (const { t, values } of samples) {
    const bucket = Math.floor(t / stepMs) * stepMs;
    if (bucket < from || bucket + stepMs > to) continue;
    const series = buckets.get(bucket) ?? new Map<number, SeriesAggregate>();
    buckets.set(bucket, series);
    for (const [id, value] of values) {
      const current = series.get(id);
      series.set(
        id,
        current
          ? {
              count: current.count + 1,
              sum: current.sum + value,
              min: Math.min(current.min, value),
              max: Math.max(current.max, value),
            }
          : { count: 1, sum: value, min: value, max: value },
      );
    }
  }
  return buckets;
}

/** A tier's stored buckets, decoded. */
function storedBuckets(handle: DbHandle, tier: RollupTier) {
  const rows = handle.sqlite
    .prepare('select t, "values" as v from host_rollups where tier = ? order by t')
    .all(tier) as { t: number; v: Buffer }[];
  return new Map(
    rows.map(({ t, v }) => {
      const series = new Map<number, SeriesAggregate>();
      decodeAggregates(v, (id, count, sum, min, max) => series.set(id, { count, sum, min, max }));
      return [t, series];
    }),
  );
}

/** Sums add up in another order than the test's, so they may differ in the last bits. */
const close = (actual: number | null | undefined, expected: number) =>
  actual !== null && actual !== undefined && Math.abs(actual - expected) <= Math.abs(expected) * 1e-12;

/** Compares every bucket and series in plain code (a million expect() calls take half a minute), then asserts once. */
function expectSameBuckets(
  actual: Map<number, Map<number, SeriesAggregate>>,
  expected: Map<number, Map<number, SeriesAggregate>>,
) {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  const mismatches: unknown[] = [];
  for (const [t, series] of expected) {
    const stored = actual.get(t);
    if (stored?.size !== series.size) mismatches.push({ t, series: [...(stored?.keys() ?? [])] });
    for (const [id, want] of series) {
      const got = stored?.get(id);
      const same =
        got?.count === want.count && got.min === want.min && got.max === want.max && close(got.sum, want.sum);
      if (!same) mismatches.push({ t, id, got, want });
    }
  }
  expect(mismatches.slice(0, 5)).toEqual([]);
}

let handle: DbHandle;
let ids: number[];
let samples: GeneratedSample[];

function insertSamples(list: GeneratedSample[]) {
  const insert = handle.sqlite.prepare('insert into host_samples (host, t, "values") values (?, ?, ?)');
  handle.sqlite.transaction(() => {
    for (const { t, values } of list) insert.run(HOST, t, encodeSampleValues(values));
  })();
}

const tierRows = (tier: RollupTier | 'raw') =>
  tier === 'raw'
    ? (handle.sqlite.prepare('select t from host_samples order by t').pluck().all() as number[])
    : (handle.sqlite
        .prepare('select t from host_rollups where tier = ? order by t')
        .pluck()
        .all(tier) as number[]);

const fileBytes = () => {
  handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return fs.statSync(handle.path).size;
};

const throwAfter = (calls: number) => {
  let made = 0;
  return async () => {
    made++;
    if (made > calls) throw new Error('killed mid-rollup');
  };
};

const noPause = async () => {};

/** A database file made before ClaudeOps set incremental auto-vacuum on new files, as older installs have. */
function createOlderDb(): DbHandle {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-older-')), 'test.db');
  const older = new Database(file);
  older.exec('create table legacy (x)');
  older.close();
  const opened = openDatabase(file);
  applyMigrations(opened);
  return opened;
}

beforeAll(() => {
  handle = createOlderDb();
  expect(ensureIncrementalAutoVacuum(handle.db)).toBe('converted');
  expect(ensureIncrementalAutoVacuum(handle.db)).toBe('already');
  // A new file starts incremental: nothing to convert.
  const fresh = createTestDb();
  expect(ensureIncrementalAutoVacuum(fresh.db)).toBe('already');
  fresh.sqlite.close();
  ids = transactionOnSqlite(handle.db, (tx) => ensureMetricSeries(tx, SERIES, START)).map((row) => row.id);
  samples = generateYear(ids);
  insertSamples(samples);
});
afterAll(() => handle.sqlite.close());

describe('host metric tiers over a year of samples', () => {
  it('never prunes raw rows that are not rolled up yet', async () => {
    expect(await pruneExpired(sqliteStore(handle.db), HOST, NOW, RETENTION, noPause)).toBe(0);
    expect(tierRows('raw')).toHaveLength(samples.length);
  });

  it('rolls up every closed bucket once, and a rollup killed half-way resumes without counting twice', async () => {
    // Killed after 30 transactions: the buckets they committed are final, the rest are not there yet.
    await expect(rollUpClosedBuckets(sqliteStore(handle.db), HOST, NOW, throwAfter(30))).rejects.toThrow(
      'killed mid-rollup',
    );
    const partial = tierRows('1m').length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expectedBuckets(samples, MINUTE, START - MINUTE, NOW).size);
    const written = await rollUpClosedBuckets(sqliteStore(handle.db), HOST, NOW, noPause);
    expect(written).toBeGreaterThan(0);
    // Nothing left: a second round (the next minute's maintenance) writes no bucket.
    expect(await rollUpClosedBuckets(sqliteStore(handle.db), HOST, NOW, noPause)).toBe(0);

    for (const [tier, stepMs] of Object.entries(ROLLUP_STEP_MS) as [RollupTier, number][]) {
      expectSameBuckets(storedBuckets(handle, tier), expectedBuckets(samples, stepMs, START - stepMs, NOW));
    }
  }, 60_000);

  it('rolling up a stretch again replaces its buckets instead of adding to them', async () => {
    handle.sqlite
      .prepare('update metric_rollup_progress set rolled_through = rolled_through - ?')
      .run(7 * DAY);
    await rollUpClosedBuckets(sqliteStore(handle.db), HOST, NOW, noPause);
    expectSameBuckets(storedBuckets(handle, '1h'), expectedBuckets(samples, HOUR, START - HOUR, NOW));
  }, 60_000);

  it('answers each chart range from its tier, equal to the raw samples it summarizes', () => {
    for (const range of METRIC_RANGES) {
      const answer = rangeOf(range);
      expect(answer.from).toBe(NOW - METRIC_RANGE_MS[range]);
      const { tier, stepMs } = tierForSpan(answer.to - answer.from, 5_000);
      expect({ range, tier: answer.tier, stepMs: answer.stepMs }).toEqual({ range, tier, stepMs });
      expectRangeMatches(answer, samples);
    }
  });

  it('prunes each tier to exactly its retention window, then the file shrinks', async () => {
    const before = fileBytes();
    const deleted = await pruneExpired(sqliteStore(handle.db), HOST, NOW, RETENTION, noPause);
    expect(deleted).toBeGreaterThan(0);

    const windows: [RollupTier | 'raw', number][] = [
      ['raw', RETENTION.rawMs],
      ['1m', RETENTION.minuteMs],
      ['10m', RETENTION.minuteMs],
      ['1h', RETENTION.hourMs],
      ['1d', RETENTION.hourMs],
    ];
    for (const [tier, keepMs] of windows) {
      const stepMs = tier === 'raw' ? 0 : ROLLUP_STEP_MS[tier];
      const kept = tierRows(tier);
      const shouldKeep =
        tier === 'raw'
          ? samples.map((s) => s.t).filter((t) => t >= NOW - keepMs)
          : [...expectedBuckets(samples, stepMs, NOW - keepMs, NOW).keys()];
      expect({ tier, kept }).toEqual({ tier, kept: shouldKeep });
    }

    const freed = await reclaimFreePages(sqliteStore(handle.db), noPause);
    expect(freed).toBeGreaterThan(0);
    expect(freelistPages(handle.db)).toBe(0);
    expect(fileBytes()).toBeLessThan(before * 0.6);

    // The charts still agree with the samples their tiers summarize.
    for (const range of METRIC_RANGES) expectRangeMatches(rangeOf(range), samples);
  }, 60_000);
});

const rangeOf = (range: MetricRange) =>
  onSqlite(handle.db, (store) => getMetricsRange(store, HOST, range, NOW));

/** A range's answer against the generated samples: same time axis, same values per series. */
function expectRangeMatches(answer: MetricsRangeDto, all: GeneratedSample[]) {
  const { from } = answer;
  const idOf = new Map(ids.map((id, index) => [`${SERIES[index]?.metric}\0${SERIES[index]?.entity}`, id]));
  if (answer.tier === 'raw') {
    const inRange = all.filter((s) => s.t >= from && s.t <= NOW);
    expect(answer.t).toEqual(inRange.map((s) => s.t));
    for (const series of answer.series) {
      const id = idOf.get(`${series.metric}\0${series.entity}`) ?? -1;
      expect(series.avg).toEqual(inRange.map((s) => s.values.get(id) ?? null));
      expect(series.min).toBeNull();
    }
    return;
  }
  const firstBucket = Math.ceil(from / answer.stepMs) * answer.stepMs;
  const buckets = expectedBuckets(all, answer.stepMs, firstBucket, NOW);
  expect(answer.t).toEqual([...buckets.keys()]);
  expect(answer.series.map((s) => `${s.metric}/${s.entity}`).sort()).toEqual(
    [...new Set([...buckets.values()].flatMap((series) => [...series.keys()]))]
      .map((id) => SERIES[ids.indexOf(id)])
      .map((s) => `${s?.metric}/${s?.entity}`)
      .sort(),
  );
  const mismatches: unknown[] = [];
  for (const series of answer.series) {
    const id = idOf.get(`${series.metric}\0${series.entity}`) ?? -1;
    [...buckets.values()].forEach((bucket, index) => {
      const want = bucket.get(id);
      const got = { avg: series.avg[index], min: series.min?.[index], max: series.max?.[index] };
      const same = want
        ? close(got.avg, want.sum / want.count) && got.min === want.min && got.max === want.max
        : got.avg === null && got.min === null && got.max === null;
      if (!same)
        mismatches.push({ range: answer.range, series: series.metric, t: answer.t[index], got, want });
    });
  }
  expect(mismatches.slice(0, 5)).toEqual([]);
}
