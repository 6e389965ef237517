import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { thisHost } from '../../src/lib/config/host';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import { executionDetailSchema } from '../../src/lib/contracts/executions';
import {
  type HostSample,
  hostSampleSchema,
  METRIC_RANGE_MS,
  METRIC_RANGES,
  metricsRangeQuerySchema,
  tierForRange,
} from '../../src/lib/contracts/metrics';
import { SETTINGS_DEFAULTS } from '../../src/lib/contracts/settings';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import { getExecutionDetailWithResources, getExecutionLive } from '../../src/lib/db/queries/executions';
import { getMetricsRange, listMetricSeries } from '../../src/lib/db/queries/metrics';
import { recordRunResources } from '../../src/lib/db/queries/runResources';
import { insertedRow } from '../../src/lib/db/returning';
import { executions } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { startHostMetrics } from '../../src/lib/metrics/hostMetrics';
import { hostMetricsSettings } from '../../src/lib/metrics/retention';
import { capturingLogger } from '../helpers/logCapture';
import { createTestDb } from '../helpers/testDb';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12);

let handle: DbHandle;
let agentId: number;

beforeEach(() => {
  handle = createTestDb();
  agentId = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'nightly', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  ).id;
});
afterEach(() => handle.sqlite.close());

function execution(
  status: ExecutionStatus,
  createdAt: number,
  startedAt: number | null,
  finishedAt: number | null,
) {
  return insertedRow(
    handle.db
      .insert(executions)
      .values({
        agentId,
        trigger: 'manual',
        status,
        prompt: 'p',
        model: 'm',
        createdAt,
        startedAt,
        finishedAt,
      })
      .returning({ id: executions.id })
      .all(),
  ).id;
}

describe('the detail of a run', () => {
  it('carries its resources for the page and the API, while the live view the frames carry does not', () => {
    const executionId = execution('running', NOW, NOW, null);
    expect(
      onSqlite(handle.db, (store) => getExecutionDetailWithResources(store, executionId))?.resources,
    ).toEqual({
      summary: null,
      samples: [],
    });
    const sample = { t: NOW + 2_000, cpuPercent: 180, rssBytes: 50_000_000, processCount: 2 };
    const summary = { cpuSeconds: 3.6, peakRssBytes: 50_000_000, peakProcessCount: 2 };
    transactionOnSqlite(handle.db, (tx) => recordRunResources(tx, [{ executionId, sample, summary }]));

    const detail = executionDetailSchema.parse(
      onSqlite(handle.db, (store) => getExecutionDetailWithResources(store, executionId)),
    );
    expect(detail.resources).toEqual({ summary, samples: [sample] });
    expect(onSqlite(handle.db, (store) => getExecutionLive(store, executionId))).not.toHaveProperty(
      'resources',
    );
    expect(
      onSqlite(handle.db, (store) => getExecutionDetailWithResources(store, executionId + 1)),
    ).toBeUndefined();
  });
});

describe('chart windows', () => {
  it('reads each range from the finest tier that fits a chart: a point per day for a year', () => {
    const tiers = METRIC_RANGES.map((range) => {
      const { tier, stepMs } = tierForRange(range, 5_000);
      return [range, tier, METRIC_RANGE_MS[range] / stepMs];
    });
    expect(tiers).toEqual([
      ['1h', 'raw', 720],
      ['24h', '1m', 1_440],
      ['7d', '10m', 1_008],
      ['30d', '1h', 720],
      ['90d', '1d', 90],
      ['1y', '1d', 365],
    ]);
    // Sampling every second would give the hour 3,600 raw points: minutes instead.
    expect(tierForRange('1h', 1_000)).toEqual({ tier: '1m', stepMs: 60_000 });
    expect(tierForRange('1h', 3_000)).toEqual({ tier: 'raw', stepMs: 3_000 });
  });

  it('reads a custom range from its query, and names the field of a bad one', () => {
    const parse = (query: Record<string, string>) => metricsRangeQuerySchema.safeParse(query);
    expect(parse({ range: 'custom', from: '1000', to: '5000' }).data).toEqual({
      range: 'custom',
      from: 1000,
      to: 5000,
    });
    const issues = (query: Record<string, string>) =>
      parse(query).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issues({ range: 'custom' })).toEqual([
      ['from', 'A custom range needs from (epoch ms)'],
      ['to', 'A custom range needs to (epoch ms)'],
    ]);
    expect(issues({ range: 'custom', from: '5000', to: '1000' })).toEqual([['to', 'to must be after from']]);
    expect(issues({ range: '24h', from: '5000' })).toEqual([['from', 'from goes with range=custom only']]);
    expect(issues({ range: '2w' })?.[0]?.[0]).toBe('range');
  });
});

describe('startHostMetrics', () => {
  it('takes its interval and retention from the settings', () => {
    expect(hostMetricsSettings({ ...SETTINGS_DEFAULTS, metricsIntervalSeconds: 10 })).toEqual({
      intervalMs: 10_000,
      retention: { rawMs: 48 * HOUR, minuteMs: 30 * 24 * HOUR, hourMs: 365 * 24 * HOUR },
    });
  });

  it('stores a sample of this machine every interval, on its multiples, until stopped', async () => {
    const { logger, records } = capturingLogger();
    const seen: HostSample[] = [];
    const metrics = startHostMetrics({
      store: sqliteStore(handle.db),
      host: HOST,
      logger,
      intervalMs: 200,
      retention: hostMetricsSettings(SETTINGS_DEFAULTS).retention,
      maintenanceIntervalMs: 100,
      onSample: (sample) => seen.push(sample),
    });
    for (let waited = 0; seen.length < 3 && waited < 10_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await metrics.stop();
    const stored = handle.sqlite.prepare('select t from host_samples order by t').pluck().all() as number[];

    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(stored).toEqual(seen.map((sample) => sample.t));
    expect(stored.every((t) => t % 200 === 0)).toBe(true);
    expect(metrics.latest()).toBe(seen.at(-1));
    for (const sample of seen) hostSampleSchema.parse(sample);
    const series = onSqlite(handle.db, listMetricSeries).map((row) => `${row.metric}/${row.entity}`);
    expect(series).toContain('cpu.busy/');
    expect(series).toContain('cpu.busy/0');
    expect(series).toContain('memory.used/');
    expect(series).toContain('fs.used//');
    expect(records().filter((record) => record.level === 50)).toEqual([]);

    // Stopped means stopped: nothing more is read or written.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(handle.sqlite.prepare('select count(*) from host_samples').pluck().get()).toBe(stored.length);

    // The 1-hour chart shows them.
    const answer = onSqlite(handle.db, (store) => getMetricsRange(store, HOST, '1h', Date.now()));
    expect(answer.tier).toBe('raw');
    expect(answer.t).toEqual(stored);
  });
});
