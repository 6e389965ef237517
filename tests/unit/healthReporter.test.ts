import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_HEALTH_KEY, systemHealthAgent } from '../../src/agents/system-health';
import { thisHost } from '../../src/lib/config/host';
import type { ExecutionLive } from '../../src/lib/contracts/executions';
import type { HealthReport } from '../../src/lib/contracts/healthReports';
import { type DbHandle, openReadOnlyDatabase } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { createAgent, getBuiltinAgent } from '../../src/lib/db/queries/agents';
import { getExecutionLive, insertQueuedExecution } from '../../src/lib/db/queries/executions';
import { healthReports } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import {
  currentMetrics,
  diskForecast,
  metricStats,
  topProcesses,
} from '../../src/lib/health/metricsQuestions';
import { getLatestHealthReport, listHealthReports, recordHealthReport } from '../../src/lib/health/reports';
import { HostSampleWriter } from '../../src/lib/metrics/hostSampleWriter';
import { rollUpClosedBuckets } from '../../src/lib/metrics/retention';
import { healthSeries } from '../helpers/healthSamples';
import { createTestDb } from '../helpers/testDb';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

const GiB = 1024 ** 3;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;

let handle: DbHandle;
beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

/** Samples every 5 s over the last `hours`, the disk filling by 2 GiB a day, the CPU busier in the last hour. */
async function recordSamples(hours: number) {
  const writer = new HostSampleWriter(sqliteStore(handle.db), HOST);
  for (let t = NOW - hours * HOUR; t <= NOW; t += 5_000) {
    await writer.write(t, healthSeries(t, NOW));
  }
  await rollUpClosedBuckets(sqliteStore(handle.db), HOST, NOW + 1, async () => {});
}

describe('the health reporter’s questions', () => {
  it('answer from the recorded samples: current values, averages and peaks, and when the disk fills', async () => {
    await recordSamples(30);
    expect(await currentMetrics(sqliteStore(handle.db), NOW)).toMatchObject({
      cpuBusyPercent: 60,
      cores: 2,
      memoryAvailablePercent: 25,
      disks: [{ mount: '/', usedPercent: 80 }],
    });
    const day = await metricStats(sqliteStore(handle.db), '24h', NOW);
    expect(day.cpuBusyPercent?.peak).toBe(60);
    expect(day.cpuBusyPercent?.average).toBeGreaterThan(20);
    expect(day.cpuBusyPercent?.average).toBeLessThan(60);
    const hour = (await metricStats(sqliteStore(handle.db), '1h', NOW)).cpuBusyPercent;
    expect(hour?.peak).toBe(60);
    expect(hour?.average).toBeCloseTo(60, 0);
    const [root] = await diskForecast(sqliteStore(handle.db), NOW);
    // 20 GiB free at 2 GiB a day: ten days.
    expect(root?.daysUntilFull).toBeCloseTo(10, 0);
    expect(root?.growthBytesPerDay).toBeCloseTo(2 * GiB, -7);
  });

  it('name the heaviest processes of this machine', async () => {
    const processes = await topProcesses(5, 200);
    expect(processes.length).toBeGreaterThan(0);
    expect(processes.length).toBeLessThanOrEqual(5);
    expect(processes.every((p) => p.pid > 0 && p.rssBytes >= 0 && p.command.length > 0)).toBe(true);
  });

  it('read through a connection that refuses every write', async () => {
    const readOnly = openReadOnlyDatabase(handle.path);
    try {
      expect(() => readOnly.sqlite.prepare('delete from agent_configurations').run()).toThrow(/readonly/i);
      expect(() => readOnly.sqlite.exec('create table intruder (x)')).toThrow(/readonly/i);
      expect((await currentMetrics(sqliteStore(readOnly.db), NOW)).disks).toEqual([]);
    } finally {
      readOnly.sqlite.close();
    }
  });
});

const REPORT: HealthReport = {
  status: 'warning',
  summary: 'The root disk fills within ten days.',
  findings: [
    { area: 'disk /', severity: 'warning', message: '80% full, +2 GiB a day', evidence: 'disk_forecast' },
    { area: 'cpu', severity: 'info', message: 'Busy 60% in the last hour' },
  ],
  recommendations: ['Clear old logs under /var/log'],
};

function endedRun(overrides: Partial<ExecutionLive>): ExecutionLive {
  const agent =
    runOnSqlite(getBuiltinAgent(sqliteStore(handle.db), SYSTEM_HEALTH_KEY)) ??
    runOnSqlite(createAgent(sqliteStore(handle.db), systemHealthAgent(NOW), SYSTEM_HEALTH_KEY));
  const id = onSqlite(handle.db, (store) =>
    insertQueuedExecution(store, {
      agentId: agent.id,
      prompt: 'p',
      model: 'm',
      trigger: 'schedule',
    }),
  );
  const live = onSqlite(handle.db, (store) => getExecutionLive(store, id));
  if (!live) throw new Error('execution vanished');
  return { ...live, status: 'completed', ...overrides };
}

function record(execution: ExecutionLive) {
  const agent = runOnSqlite(getBuiltinAgent(sqliteStore(handle.db), SYSTEM_HEALTH_KEY));
  if (!agent) throw new Error('no reporter');
  return runOnSqlite(recordHealthReport(sqliteStore(handle.db), agent, execution, NOW));
}

describe('health reports', () => {
  it('keeps a valid report and raises the warning (and clears critical)', async () => {
    const run = endedRun({ structuredOutput: REPORT });
    const events = record(run);
    expect(events.map((e) => [e.type, 'state' in e.data ? e.data.state : null])).toEqual([
      ['health.warning', 'firing'],
      ['health.critical', 'resolved'],
    ]);
    expect(await getLatestHealthReport(sqliteStore(handle.db))).toMatchObject({
      executionId: run.id,
      status: 'warning',
      report: REPORT,
    });
  });

  it.each([
    ['an object that breaks the schema', { structuredOutput: { status: 'fine', summary: '' } }, /"fine"/],
    [
      'a run that gave up',
      { status: 'failed' as const, errorMessage: 'error_max_structured_output_retries' },
      /gave up|max_structured/,
    ],
    ['a text answer', { resultText: 'All good, I think.' }, /All good/],
  ])(
    'stores %s as no valid report, with what it answered, and raises nothing',
    async (_name, overrides, raw) => {
      const events = record(endedRun(overrides));
      expect(events).toEqual([]);
      const latest = await getLatestHealthReport(sqliteStore(handle.db));
      expect(latest).toMatchObject({ status: 'invalid', report: null });
      expect(latest?.rawAnswer).toMatch(raw);
    },
  );

  it('never shows a stored row that no longer parses as ok', async () => {
    record(endedRun({ structuredOutput: REPORT }));
    handle.db
      .update(healthReports)
      .set({ findings: [{ area: 'x' }] as never })
      .run();
    expect(await getLatestHealthReport(sqliteStore(handle.db))).toMatchObject({
      status: 'invalid',
      report: null,
    });
  });

  it('lists newest first, a page at a time', async () => {
    for (let i = 0; i < 3; i++) record(endedRun({ structuredOutput: { ...REPORT, summary: `report ${i}` } }));
    const first = await listHealthReports(sqliteStore(handle.db), { limit: 2 });
    expect(first.items.map((r) => r.report?.summary)).toEqual(['report 2', 'report 1']);
    const rest = await listHealthReports(sqliteStore(handle.db), { limit: 2, before: first.nextBefore ?? 0 });
    expect(rest.items.map((r) => r.report?.summary)).toEqual(['report 0']);
    expect(rest.nextBefore).toBeNull();
  });
});
