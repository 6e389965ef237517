import { beforeAll, expect, it } from 'vitest';
import { thisHost } from '../../src/lib/config/host';
import {
  type MetricsRangeDto,
  metricsRangeSchema,
  metricsWindowSchema,
  RETIRED_HOST_AFTER_MS,
  ROLLUP_STEP_MS,
} from '../../src/lib/contracts/metrics';
import { encodeSampleValues } from '../../src/lib/db/metricBlobs';
import { execute, transaction } from '../../src/lib/db/plan';
import {
  adoptUnnamedHostRows,
  deleteTierRowsBefore,
  ensureMetricSeries,
  getMetricsRange,
  getPrometheusTotals,
  getRecentMetrics,
  getRolledThrough,
  getRunBands,
  insertHostSample,
  listMetricHosts,
  listMetricSeries,
  rollUpBuckets,
  tierRowTime,
} from '../../src/lib/db/queries/metrics';
import { listConditions, putCondition } from '../../src/lib/db/queries/notificationConditions';
import { registerWorker } from '../../src/lib/db/queries/workers';
import { UNNAMED_HOST } from '../../src/lib/db/schema/metrics';
import type { Store } from '../../src/lib/db/store';
import { HostSampleWriter } from '../../src/lib/metrics/hostSampleWriter';
import { maintainHostMetrics } from '../../src/lib/metrics/retention';
import { hostConditionKey, hostDiskKey } from '../../src/lib/notifications/conditions';
import { describeOnEachDialect, emptyTables, insertAgent, insertRun } from '../helpers/stores';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

// The host metrics queries on both dialects: series, samples, the rollup tiers, chart ranges, the
// runs drawn on them, the Prometheus totals. What only SQLite has (the file shrinking after a
// prune, its query plans) stays in tests/unit (metricsRetention, queryPlans).

const { '1m': MINUTE, '1h': HOUR, '1d': DAY } = ROLLUP_STEP_MS;
/** The default collector interval (metricsIntervalSeconds). */
const STEP = 5_000;

const BUSY = { metric: 'cpu.busy', entity: '' } as const;
const RX = { metric: 'net.rx', entity: 'eth0' } as const;

describeOnEachDialect('host samples', (store) => {
  it('gives each series one id, the first time it is seen, and lists them in that order', async () => {
    const first = await transaction(store(), (tx) => ensureMetricSeries(tx, [BUSY], 1));
    const again = await transaction(store(), (tx) => ensureMetricSeries(tx, [RX, BUSY], 2));
    expect(first.map(({ metric, entity, createdAt }) => ({ metric, entity, createdAt }))).toEqual([
      { ...BUSY, createdAt: 1 },
    ]);
    // The known one keeps its id and its creation time; the new one comes after it.
    expect(again).toEqual([first[0], { ...RX, id: expect.any(Number), createdAt: 2 }]);
    expect(await execute(store(), listMetricSeries(store()))).toEqual(again);
  });

  it('stores a sample once per millisecond, and the dashboard reads the last minutes of the metrics it shows', async () => {
    const [busy, rx] = await execute(store(), listMetricSeries(store()));
    if (!busy || !rx) throw new Error('series not created');
    const now = Date.UTC(2026, 10, 20, 12);
    const samples = [
      [now - 20 * MINUTE, 0.9],
      [now - 10_000, 0.2],
      [now - STEP, 0.4],
    ] as const;
    for (const [t, value] of samples)
      await execute(
        store(),
        insertHostSample(
          store(),
          HOST,
          t,
          new Map([
            [busy.id, value],
            [rx.id, 1_000],
          ]),
        ),
      );
    // A second sample dated the same millisecond is dropped, not an error.
    await execute(store(), insertHostSample(store(), HOST, now - STEP, new Map([[busy.id, 1]])));

    const recent = metricsWindowSchema.parse(
      await execute(store(), getRecentMetrics(store(), HOST, now, 15 * MINUTE, ['cpu.busy'])),
    );
    expect(recent).toEqual({
      tier: 'raw',
      stepMs: STEP,
      from: now - 15 * MINUTE,
      to: now,
      t: [now - 10_000, now - STEP],
      series: [{ metric: 'cpu.busy', entity: '', avg: [0.2, 0.4], min: null, max: null }],
    });
  });
});

/** 26 hours of samples every 5 s from a UTC midnight, rolled up into every tier. */
const START = Date.UTC(2026, 10, 20);
const NOW = START + 26 * HOUR;
const SAMPLES = (NOW - START) / STEP;
/** Sample i: cpu.busy goes 0…11 within each minute; net.rx is the minute's number from START. */
const busyAt = (i: number) => i % 12;
const minuteAt = (i: number) => Math.floor(i / 12);

async function seedDay(store: Store): Promise<void> {
  const [busy, rx] = await execute(store, listMetricSeries(store));
  if (!busy || !rx) throw new Error('series not created');
  const { db, t } = store;
  for (let chunk = 0; chunk < SAMPLES; chunk += 1_000) {
    const rows = [];
    for (let i = chunk; i < Math.min(SAMPLES, chunk + 1_000); i++)
      rows.push({
        host: HOST,
        t: START + i * STEP,
        values: encodeSampleValues(
          new Map([
            [busy.id, busyAt(i)],
            [rx.id, minuteAt(i)],
          ]),
        ),
      });
    await db.insert(t.hostSamples).values(rows);
  }
  for (const tier of ['1m', '10m', '1h', '1d'] as const)
    await transaction(store, (tx) => rollUpBuckets(tx, HOST, tier, START, NOW));
}

const seriesOf = (answer: MetricsRangeDto, metric: string) => {
  const series = answer.series.find((s) => s.metric === metric);
  if (!series) throw new Error(`no ${metric} in the answer`);
  return series;
};

describeOnEachDialect('a day of samples and its tiers', (store) => {
  beforeAll(async () => {
    await transaction(store(), (tx) => ensureMetricSeries(tx, [BUSY, RX], START));
    await seedDay(store());
  }, 60_000);

  const range = async (request: Parameters<typeof getMetricsRange>[2]) =>
    metricsRangeSchema.parse(await execute(store(), getMetricsRange(store(), HOST, request, NOW)));

  it('reads the last hour from raw samples, one point per sample', async () => {
    const answer = await range('1h');
    expect({ tier: answer.tier, stepMs: answer.stepMs, from: answer.from, points: answer.t.length }).toEqual({
      tier: 'raw',
      stepMs: STEP,
      from: NOW - HOUR,
      points: 720,
    });
    const firstIndex = (NOW - HOUR - START) / STEP;
    expect(answer.t[0]).toBe(NOW - HOUR);
    expect(seriesOf(answer, 'cpu.busy').avg.slice(0, 13)).toEqual(
      Array.from({ length: 13 }, (_, k) => busyAt(firstIndex + k)),
    );
    expect(seriesOf(answer, 'cpu.busy').max).toBeNull();
  });

  it('reads the last 24 hours from minutes whose average, lowest and highest are exact', async () => {
    const answer = await range('24h');
    expect({ tier: answer.tier, stepMs: answer.stepMs, from: answer.from }).toEqual({
      tier: '1m',
      stepMs: MINUTE,
      from: NOW - DAY,
    });
    expect(answer.t).toEqual(Array.from({ length: 1_440 }, (_, k) => NOW - DAY + k * MINUTE));
    const busy = seriesOf(answer, 'cpu.busy');
    // 0…11 in every minute: (0 + … + 11) / 12 = 5.5.
    expect(new Set(busy.avg)).toEqual(new Set([5.5]));
    expect(new Set(busy.min)).toEqual(new Set([0]));
    expect(new Set(busy.max)).toEqual(new Set([11]));
    const firstMinute = (NOW - DAY - START) / MINUTE;
    expect(seriesOf(answer, 'net.rx').avg).toEqual(answer.t.map((_, k) => firstMinute + k));
  });

  it('starts a week’s chart where the samples do, from ten-minute buckets rolled up from the minutes', async () => {
    const answer = await range('7d');
    // 26 hours: 1,560 minutes are more than a chart draws, 156 ten-minute buckets are not.
    expect({ tier: answer.tier, from: answer.from, points: answer.t.length }).toEqual({
      tier: '10m',
      from: START,
      points: 156,
    });
    expect(answer.requested).toEqual({ from: NOW - 7 * DAY, to: NOW });
    const rx = seriesOf(answer, 'net.rx');
    // Minutes 10k … 10k + 9: their average, lowest and highest.
    expect(rx.avg.slice(0, 3)).toEqual([4.5, 14.5, 24.5]);
    expect(rx.min?.slice(0, 3)).toEqual([0, 10, 20]);
    expect(rx.max?.slice(0, 3)).toEqual([9, 19, 29]);
    expect(seriesOf(answer, 'cpu.busy').avg.every((avg) => avg === 5.5)).toBe(true);
  });

  it('keeps a custom window with no samples as asked, at the tier of its span', async () => {
    const past = { from: START - 10 * DAY, to: START - 9 * DAY };
    const answer = await range(past);
    expect({ range: answer.range, from: answer.from, to: answer.to, tier: answer.tier, t: answer.t }).toEqual(
      {
        range: 'custom',
        ...past,
        tier: '1m',
        t: [],
      },
    );
  });

  it('marks each tier rolled up through the end, and rolling up again replaces the buckets', async () => {
    for (const tier of ['1m', '10m', '1h', '1d'] as const)
      expect(await execute(store(), getRolledThrough(store(), HOST, tier))).toBe(NOW);
    const before = await range('24h');
    const written = await transaction(store(), (tx) => rollUpBuckets(tx, HOST, '1m', NOW - 2 * HOUR, NOW));
    expect(written).toBe(120);
    expect(await range('24h')).toEqual(before);
  });

  it('finds the n-th row of a tier from a time, and deletes the oldest rows in batches', async () => {
    const s = store();
    expect(await execute(s, tierRowTime(s, HOST, 'raw', START + 1))).toBe(START + STEP);
    expect(await execute(s, tierRowTime(s, HOST, 'raw', START, 10))).toBe(START + 10 * STEP);
    expect(await execute(s, tierRowTime(s, HOST, '1h', START, 25))).toBe(START + 25 * HOUR);
    expect(await execute(s, tierRowTime(s, HOST, '1h', START, 26))).toBeUndefined();

    // The first hour's 720 samples, 500 then 220.
    expect(await execute(s, deleteTierRowsBefore(s, HOST, 'raw', START + HOUR, 500))).toBe(500);
    expect(await execute(s, deleteTierRowsBefore(s, HOST, 'raw', START + HOUR, 500))).toBe(220);
    expect(await execute(s, tierRowTime(s, HOST, 'raw', 0))).toBe(START + HOUR);
    // Only that tier's rows go.
    expect(await execute(s, deleteTierRowsBefore(s, HOST, '1m', START + HOUR, 1_000))).toBe(60);
    expect(await execute(s, tierRowTime(s, HOST, '10m', 0))).toBe(START);
  });
});

describeOnEachDialect('runs drawn on the charts', (store) => {
  it('draws the runs that overlap the range, oldest first, and says when it kept only the newest', async () => {
    const s = store();
    const agentId = await insertAgent(s, 'nightly');
    const now = Date.UTC(2026, 10, 20, 12);
    const worker = (id: string, host: string) =>
      registerWorker(s, { id, host, labels: [], version: '0.1.0', startedAt: now - 48 * HOUR });
    await worker(`${HOST}-1-00000000`, HOST);
    await worker('gpu-1-00000000', 'gpu');
    const run = (
      status: 'completed' | 'failed' | 'cancelled' | 'running',
      created: number,
      started: number | null,
      finished: number | null,
      workerId: string | null = `${HOST}-1-00000000`,
    ) =>
      insertRun(s, agentId, {
        status,
        createdAt: created,
        startedAt: started,
        finishedAt: finished,
        workerId,
      });
    const before = await run('completed', now - 30 * HOUR, now - 30 * HOUR, now - 26 * HOUR);
    const acrossStart = await run('failed', now - 25 * HOUR, now - 25 * HOUR, now - 23 * HOUR);
    const inside = await run('completed', now - 5 * HOUR, now - 5 * HOUR + 2_000, now - 4 * HOUR);
    const neverStarted = await run('cancelled', now - 3 * HOUR, null, now - 3 * HOUR);
    const running = await run('running', now - HOUR, now - HOUR, null);
    // Created in the same millisecond as the one before: the newer id is the newer run.
    const twin = await run('running', now - HOUR, now - HOUR + 1, null);
    // Another host's run, and one with no process anywhere (parked awaiting an answer): not this host's.
    const elsewhere = await run('running', now - HOUR, now - HOUR, null, 'gpu-1-00000000');
    const parked = await run('running', now - HOUR, now - HOUR, null, null);

    const answer = metricsRangeSchema.parse(await execute(s, getMetricsRange(s, HOST, '24h', now)));
    expect(answer.runs).toEqual([
      {
        id: acrossStart,
        agentName: 'nightly',
        status: 'failed',
        startedAt: now - 25 * HOUR,
        finishedAt: now - 23 * HOUR,
      },
      {
        id: inside,
        agentName: 'nightly',
        status: 'completed',
        startedAt: now - 5 * HOUR + 2_000,
        finishedAt: now - 4 * HOUR,
      },
      { id: running, agentName: 'nightly', status: 'running', startedAt: now - HOUR, finishedAt: null },
      { id: twin, agentName: 'nightly', status: 'running', startedAt: now - HOUR + 1, finishedAt: null },
    ]);
    expect(answer.runsTruncated).toBe(false);
    expect(
      [before, neverStarted, elsewhere, parked].some((id) => answer.runs.some((band) => band.id === id)),
    ).toBe(false);
    expect(
      (await execute(s, getRunBands(s, 'gpu', now - 24 * HOUR, now))).runs.map((band) => band.id),
    ).toEqual([elsewhere]);

    const limited = await execute(s, getRunBands(s, HOST, now - 24 * HOUR, now, 2));
    expect(limited.runs.map((band) => band.id)).toEqual([running, twin]);
    expect(limited.truncated).toBe(true);
  });
});

describeOnEachDialect('the Prometheus totals', (store) => {
  it('counts finished runs by how they ended and sums tokens and cost by model over every month', async () => {
    const s = store();
    const agentId = await insertAgent(s, 'writer');
    for (const status of ['completed', 'completed', 'failed', 'cancelled', 'running', 'queued'] as const)
      await insertRun(s, agentId, { status });
    const summary = (month: string, model: string, tokens: number, costMicros: number) => ({
      month,
      agentId,
      model,
      executionCount: 1,
      inputTokens: tokens,
      outputTokens: 2 * tokens,
      cacheCreationTokens: 3 * tokens,
      cacheReadTokens: 4 * tokens,
      costMicros,
      updatedAt: 0,
    });
    await s.db
      .insert(s.t.monthlyCostSummaries)
      .values([
        summary('2026-10', 'claude-sonnet-4-5', 1_000, 1_500_000),
        summary('2026-11', 'claude-sonnet-4-5', 500, 250_001),
        summary('2026-11', 'claude-haiku-4-5', 70, 10_000),
      ]);

    expect(await execute(s, getPrometheusTotals(s))).toEqual({
      runsByStatus: [
        { status: 'cancelled', count: 1 },
        { status: 'completed', count: 2 },
        { status: 'failed', count: 1 },
      ],
      byModel: [
        {
          model: 'claude-haiku-4-5',
          inputTokens: 70,
          outputTokens: 140,
          cacheCreationTokens: 210,
          cacheReadTokens: 280,
          costUsd: 0.01,
        },
        {
          model: 'claude-sonnet-4-5',
          inputTokens: 1_500,
          outputTokens: 3_000,
          cacheCreationTokens: 4_500,
          cacheReadTokens: 6_000,
          costUsd: 1.750001,
        },
      ],
    });
  });
});

describeOnEachDialect('the metrics of several hosts', (store) => {
  const OTHER = 'build-2.example';
  const sample = (host: string, t: number, value: number) =>
    execute(store(), insertHostSample(store(), host, t, new Map([[1, value]])));
  const rawOf = async (host: string) =>
    (await execute(store(), getMetricsRange(store(), host, { from: START, to: START + HOUR }, START + HOUR)))
      .t;

  it('keeps each host apart: samples at the same instant, rollups, progress and pruning', async () => {
    await emptyTables(store(), (t) => [t.hostSamples, t.hostRollups, t.metricRollupProgress]);
    await transaction(store(), (tx) => ensureMetricSeries(tx, [BUSY], START));
    for (let i = 0; i < 24; i++) {
      await sample(HOST, START + i * STEP, 1);
      // The same instants on another machine: both kept.
      await sample(OTHER, START + i * STEP, 3);
    }
    expect(await rawOf(HOST)).toHaveLength(24);
    expect(await rawOf(OTHER)).toHaveLength(24);

    // This host's maintenance rolls up and prunes its rows alone.
    const retention = { rawMs: 0, minuteMs: DAY, hourMs: DAY };
    await maintainHostMetrics(store(), HOST, START + 2 * MINUTE + 1, retention, async () => {});
    expect(await execute(store(), getRolledThrough(store(), HOST, '1m'))).toBe(START + 2 * MINUTE);
    expect(await execute(store(), getRolledThrough(store(), OTHER, '1m'))).toBeUndefined();
    expect(await rawOf(HOST)).toEqual([]);
    expect(await rawOf(OTHER)).toHaveLength(24);
    const minutes = await execute(
      store(),
      getMetricsRange(store(), HOST, { from: START, to: START + DAY }, START + DAY),
    );
    expect(minutes.tier).toBe('1m');
    expect(minutes.series[0]?.avg.filter((value) => value !== null)).toEqual([1, 1]);
    expect(await execute(store(), listMetricHosts(store()))).toEqual([HOST]);
  });

  it('maintains a host silent for a day as its collector would, drops its conditions, and forgets it once nothing is left', async () => {
    await emptyTables(store(), (t) => [
      t.hostSamples,
      t.hostRollups,
      t.metricRollupProgress,
      t.notificationConditions,
    ]);
    await transaction(store(), (tx) => ensureMetricSeries(tx, [BUSY], START));
    const noPause = async () => {};
    const retention = { rawMs: 2 * HOUR, minuteMs: 2 * DAY, hourMs: 7 * DAY };
    // The other host sampled for 90 s and rolled up its first minute, then stopped for good.
    for (let i = 0; i < 18; i++) await sample(OTHER, START + i * STEP, 3);
    await maintainHostMetrics(store(), OTHER, START + MINUTE + 1, retention, noPause);
    const lastSample = START + 17 * STEP;
    const held = { active: true, since: START, lastNotifiedAt: START, updatedAt: START };
    const diskThere = hostDiskKey(OTHER, '/');
    const memoryHere = hostConditionKey('host.memory', HOST);
    for (const key of [diskThere, memoryHere])
      await execute(store(), putCondition(store(), { key, ...held }));
    const conditionKeys = async () =>
      (await execute(store(), listConditions(store()))).map((condition) => condition.key).sort();
    const minuteAverages = async () =>
      (
        await execute(store(), getMetricsRange(store(), OTHER, { from: START, to: START + DAY }, START + DAY))
      ).series[0]?.avg.filter((value) => value !== null);

    // Silent for less than a day (a reboot, a long stop): left as it is.
    await maintainHostMetrics(store(), HOST, lastSample + RETIRED_HOST_AFTER_MS - 1, retention, noPause);
    expect(await rawOf(OTHER)).toHaveLength(18);
    expect(await minuteAverages()).toEqual([3]);
    expect(await conditionKeys()).toEqual([diskThere, memoryHere].sort());

    // A day: its last minute rolled up, its raw samples past their 2 h pruned, its conditions gone.
    await maintainHostMetrics(store(), HOST, lastSample + RETIRED_HOST_AFTER_MS, retention, noPause);
    expect(await rawOf(OTHER)).toEqual([]);
    expect(await minuteAverages()).toEqual([3, 3]);
    expect(await conditionKeys()).toEqual([memoryHere]);
    expect(await execute(store(), listMetricHosts(store()))).toEqual([OTHER]);

    // Past its longest tier's retention nothing of it is left, and it leaves the list of hosts.
    await maintainHostMetrics(store(), HOST, lastSample + 8 * DAY, retention, noPause);
    expect(await execute(store(), listMetricHosts(store()))).toEqual([]);
  });

  it('lists a host from its first sample, and retires one that lived less than a minute', async () => {
    await emptyTables(store(), (t) => [t.hostSamples, t.hostRollups, t.metricRollupProgress]);
    const noPause = async () => {};
    const retention = { rawMs: 2 * HOUR, minuteMs: 2 * DAY, hourMs: 7 * DAY };
    // Its process sampled 20 s (4 samples, half-way through a minute), then was gone for good.
    const writer = new HostSampleWriter(store(), OTHER);
    const first = START + 30_000;
    for (let i = 0; i < 4; i++) await writer.write(first + i * STEP, [{ ...BUSY, value: 2 }]);
    expect(await execute(store(), listMetricHosts(store()))).toEqual([OTHER]);
    expect(await execute(store(), getRolledThrough(store(), OTHER, '1m'))).toBe(START);
    // A process of the host starting again keeps its progress.
    await new HostSampleWriter(store(), OTHER).write(first + 4 * STEP, [{ ...BUSY, value: 2 }]);
    expect(await execute(store(), getRolledThrough(store(), OTHER, '1m'))).toBe(START);

    // A day later the others roll its minute up and prune its raw samples.
    await maintainHostMetrics(store(), HOST, first + 4 * STEP + RETIRED_HOST_AFTER_MS, retention, noPause);
    expect(await rawOf(OTHER)).toEqual([]);
    const minutes = await execute(
      store(),
      getMetricsRange(store(), OTHER, { from: START, to: START + DAY }, START + DAY),
    );
    expect(minutes.series[0]?.avg.filter((value) => value !== null)).toEqual([2]);
    // Past its longest tier's retention it leaves the list.
    await maintainHostMetrics(store(), HOST, first + 8 * DAY, retention, noPause);
    expect(await execute(store(), listMetricHosts(store()))).toEqual([]);
  });

  it('takes the rows recorded before hosts were named for the first host whose collector starts', async () => {
    await emptyTables(store(), (t) => [t.hostSamples, t.hostRollups, t.metricRollupProgress]);
    await sample(UNNAMED_HOST, START, 2);
    await transaction(store(), (tx) => rollUpBuckets(tx, UNNAMED_HOST, '1m', START, START + MINUTE));
    // Samples, rollups and progress: one row each.
    expect(await transaction(store(), (tx) => adoptUnnamedHostRows(tx, HOST))).toBe(3);
    expect(await transaction(store(), (tx) => adoptUnnamedHostRows(tx, OTHER))).toBe(0);
    expect(await rawOf(HOST)).toEqual([START]);
    expect(await execute(store(), getRolledThrough(store(), HOST, '1m'))).toBe(START + MINUTE);
    expect(await execute(store(), listMetricHosts(store()))).toEqual([HOST]);
  });
});
