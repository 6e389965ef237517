import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { thisHost } from '../../src/lib/config/host';
import {
  type HostSample,
  ROLLUP_STEP_MS,
  type SeriesValue,
  sampleSeries,
} from '../../src/lib/contracts/metrics';
import { decodeAggregates } from '../../src/lib/db/metricBlobs';
import { execute } from '../../src/lib/db/plan';
import {
  getMetricsRange,
  getRecentMetrics,
  listMetricSeries,
  tierRowTime,
} from '../../src/lib/db/queries/metrics';
import type { Store } from '../../src/lib/db/store';
import { startHostMetrics } from '../../src/lib/metrics/hostMetrics';
import { HostSampleWriter } from '../../src/lib/metrics/hostSampleWriter';
import { maintainHostMetrics } from '../../src/lib/metrics/retention';
import { capturingLogger } from '../helpers/logCapture';
import { describeOnEachDialect } from '../helpers/stores';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

// The host metrics as the server runs them, on both dialects: the collector sampling this
// machine's /proc into the store, and the maintenance that rolls samples up and prunes them.

const { '1m': MINUTE, '10m': TEN_MINUTES, '1h': HOUR } = ROLLUP_STEP_MS;

describeOnEachDialect('the host collector', (store) => {
  it('stores a sample of this machine every interval, each readable through the metrics queries', async () => {
    const { logger, records } = capturingLogger();
    const seen: HostSample[] = [];
    let enough: () => void = () => {};
    const threeSamples = new Promise<void>((resolve) => {
      enough = resolve;
    });
    const metrics = startHostMetrics({
      store: store(),
      host: HOST,
      logger,
      intervalMs: 200,
      retention: { rawMs: HOUR, minuteMs: 24 * HOUR, hourMs: 400 * 24 * HOUR },
      maintenanceIntervalMs: 100,
      onSample: (sample) => {
        seen.push(sample);
        if (seen.length === 3) enough();
      },
    });
    await threeSamples;
    await metrics.stop();
    expect(records().filter((record) => Number(record.level) >= 40)).toEqual([]);

    const now = Date.now();
    const range = await execute(store(), getMetricsRange(store(), HOST, '1h', now));
    expect(range.tier).toBe('raw');
    expect(range.t).toEqual(seen.map((sample) => sample.t));
    // Every value the collector read from /proc is the one the chart shows at its time.
    for (const [index, sample] of seen.entries()) {
      const values = sampleSeries(sample);
      expect(values.map((value) => value.metric)).toContain('cpu.busy');
      for (const { metric, entity, value } of values) {
        const series = range.series.find((s) => s.metric === metric && s.entity === entity);
        expect({ metric, entity, value: series?.avg[index] }).toEqual({ metric, entity, value });
      }
    }
    const memory = seen.at(-1)?.memory.totalBytes;
    expect(memory).toBeGreaterThan(0);
    const recent = await execute(store(), getRecentMetrics(store(), HOST, now, HOUR, ['memory.total']));
    expect(recent.series.find((s) => s.metric === 'memory.total')?.avg.at(-1)).toBe(memory);
  });
});

/** A bucket's aggregate of one series, per rollup tier, read back from the store. */
async function rollups(store: Store, tier: '1m' | '10m' | '1h', seriesId: number) {
  const { db, t } = store;
  const rows = await db
    .select({ t: t.hostRollups.t, values: t.hostRollups.values })
    .from(t.hostRollups)
    .where(eq(t.hostRollups.tier, tier))
    .orderBy(asc(t.hostRollups.t));
  return rows.map((row) => {
    let aggregate = { count: 0, sum: 0, min: 0, max: 0 };
    decodeAggregates(row.values, (id, count, sum, min, max) => {
      if (id === seriesId) aggregate = { count, sum, min, max };
    });
    return { t: row.t, ...aggregate };
  });
}

const START = Date.UTC(2026, 0, 1);
const NOW = START + 3 * HOUR;
const STEP = 5_000;
/** Within a minute the value is constant; minute after minute it runs 0, 0.1 … 0.9 and again. */
const busyAt = (t: number) => (Math.floor((t - START) / MINUTE) % 10) / 10;

describeOnEachDialect('host metrics maintenance', (store) => {
  it('rolls three hours of samples up into every tier, then prunes each tier to exactly its retention', async () => {
    const writer = new HostSampleWriter(store(), HOST);
    for (let t = START; t < NOW; t += STEP) {
      const series: SeriesValue[] = [
        { metric: 'cpu.busy', entity: '', value: busyAt(t) },
        { metric: 'memory.available', entity: '', value: 4e9 },
      ];
      await writer.write(t, series);
    }
    const [busy] = await execute(store(), listMetricSeries(store()));
    if (!busy) throw new Error('no series written');

    const round = await maintainHostMetrics(
      store(),
      HOST,
      NOW,
      { rawMs: HOUR, minuteMs: 2 * HOUR, hourMs: 400 * 24 * HOUR },
      async () => {},
    );
    // 180 minutes, 18 ten-minute buckets, 3 hours (the day is not closed yet); the raw rows of the
    // first two hours (1,440) and the minutes of the first hour (60).
    expect({ buckets: round.bucketsWritten, deleted: round.rowsDeleted }).toEqual({
      buckets: 201,
      deleted: 1_500,
    });

    expect(await execute(store(), tierRowTime(store(), HOST, 'raw', Number.MIN_SAFE_INTEGER))).toBe(
      NOW - HOUR,
    );
    expect(await execute(store(), tierRowTime(store(), HOST, 'raw', NOW - HOUR, 719))).toBe(NOW - STEP);
    const minutes = await rollups(store(), '1m', busy.id);
    expect(minutes.map((m) => m.t)).toEqual(
      Array.from({ length: 120 }, (_, i) => NOW - 2 * HOUR + i * MINUTE),
    );
    expect(minutes.every((m) => m.count === 12 && Math.abs(m.sum - 12 * busyAt(m.t)) < 1e-9)).toBe(true);
    const tens = await rollups(store(), '10m', busy.id);
    expect(tens.map((b) => b.t)).toEqual(Array.from({ length: 18 }, (_, i) => START + i * TEN_MINUTES));
    for (const bucket of tens) {
      expect({ t: bucket.t, count: bucket.count, min: bucket.min, max: bucket.max }).toEqual({
        t: bucket.t,
        count: 120,
        min: 0,
        max: 0.9,
      });
      expect(bucket.sum).toBeCloseTo(54, 9);
    }
    expect((await rollups(store(), '1h', busy.id)).map((b) => [b.t, b.count])).toEqual([
      [START, 720],
      [START + HOUR, 720],
      [START + 2 * HOUR, 720],
    ]);

    // The last hour's chart reads the raw samples that are left, value for value.
    const hour = await execute(store(), getMetricsRange(store(), HOST, '1h', NOW));
    const cpu = hour.series.find((s) => s.metric === 'cpu.busy');
    expect(hour.t).toHaveLength(720);
    expect(cpu?.avg).toEqual(hour.t.map(busyAt));

    // A second round finds nothing to roll up or prune.
    const again = await maintainHostMetrics(
      store(),
      HOST,
      NOW,
      { rawMs: HOUR, minuteMs: 2 * HOUR, hourMs: 400 * 24 * HOUR },
      async () => {},
    );
    expect(again).toMatchObject({ bucketsWritten: 0, rowsDeleted: 0, pagesFreed: 0 });
  });
});
