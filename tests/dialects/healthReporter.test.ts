import type { McpSdkServerConfigWithInstance } from '@anthropic-ai/claude-agent-sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { expect, it } from 'vitest';
import { SYSTEM_HEALTH_KEY } from '../../src/agents/system-health';
import { thisHost } from '../../src/lib/config/host';
import type { HealthReport } from '../../src/lib/contracts/healthReports';
import { ROLLUP_STEP_MS } from '../../src/lib/contracts/metrics';
import { execute, transaction } from '../../src/lib/db/plan';
import { getBuiltinAgent } from '../../src/lib/db/queries/agents';
import { dayKey } from '../../src/lib/db/queries/costs';
import { getExecutionLive } from '../../src/lib/db/queries/executions';
import { recordWorkerBeat, recordWorkerStop, registerWorker } from '../../src/lib/db/queries/workers';
import type { Store } from '../../src/lib/db/store';
import { healthTools } from '../../src/lib/health/healthTools';
import { getLatestHealthReport, recordHealthReport } from '../../src/lib/health/reports';
import { HEALTH_SCHEDULE_CRON, healthScheduleId, seedBuiltins } from '../../src/lib/health/seed';
import { HostSampleWriter } from '../../src/lib/metrics/hostSampleWriter';
import { rollUpClosedBuckets } from '../../src/lib/metrics/retention';
import { findSchedule } from '../../src/lib/scheduling/schedules';
import { healthSeries } from '../helpers/healthSamples';
import { describeOnEachDialect, insertRun } from '../helpers/stores';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

// The System Health Reporter on both dialects: its built-ins seeded once, its tools answering
// from the stored samples as the agent calls them (over MCP), its report stored with the run.

const { '1m': MINUTE, '1h': HOUR } = ROLLUP_STEP_MS;
const DAY = 24 * HOUR;

/** Calls the reporter's in-process tools as Claude Code does: an MCP client on the SDK's server. */
async function toolClient(store: Store) {
  const server = healthTools(store).mcpServers.claudeops as McpSdkServerConfigWithInstance;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.instance.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  return {
    async call(name: string, args: Record<string, unknown> = {}) {
      const result = await client.callTool({ name, arguments: args });
      const [content] = result.content as { type: string; text: string }[];
      if (result.isError) throw new Error(content?.text);
      return JSON.parse(content?.text ?? 'null');
    },
    close: () => client.close(),
  };
}

/** Samples every minute over the last 26 hours: the disk filling by 2 GiB a day, the CPU busier in the last hour. */
async function recordSamples(store: Store, now: number) {
  const writer = new HostSampleWriter(store, HOST);
  for (let t = now - 26 * HOUR; t <= now; t += MINUTE) {
    await writer.write(t, healthSeries(t, now));
  }
  await rollUpClosedBuckets(store, HOST, now + 1, async () => {});
}

const REPORT: HealthReport = {
  status: 'critical',
  summary: 'The root disk is nearly full.',
  findings: [{ area: 'disk /', severity: 'critical', message: '97% full' }],
  recommendations: ['Clear old logs under /var/log'],
};

describeOnEachDialect('the System Health Reporter', (store) => {
  it('is seeded once, in one go: the agent and its paused hourly schedule', async () => {
    await seedBuiltins(store());
    const scheduleId = await healthScheduleId(store());
    await seedBuiltins(store());
    expect(await healthScheduleId(store())).toBe(scheduleId);
    if (scheduleId === null) throw new Error('no schedule seeded');
    const agent = await execute(store(), getBuiltinAgent(store(), SYSTEM_HEALTH_KEY));
    expect(await execute(store(), findSchedule(store(), scheduleId))).toMatchObject({
      agentId: agent?.id,
      cronExpression: HEALTH_SCHEDULE_CRON,
      enabled: false,
      nextRuns: [],
    });
  });

  it('answers its tools from the stored samples and runs', async () => {
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    await recordSamples(store(), now);
    const agent = await execute(store(), getBuiltinAgent(store(), SYSTEM_HEALTH_KEY));
    if (!agent) throw new Error('not seeded');
    const failed = await insertRun(store(), agent.id, {
      status: 'failed',
      errorCode: 'process_exit',
      errorMessage: 'Claude Code exited with code 1',
      createdAt: now - HOUR,
      finishedAt: now - HOUR + 5_000,
    });
    await insertRun(store(), agent.id, { status: 'completed', createdAt: now - HOUR });
    await insertRun(store(), agent.id, { status: 'running', createdAt: now });
    const { db, t } = store();
    await db
      .insert(t.dailyCostSummaries)
      .values({ day: dayKey(now), agentId: agent.id, model: 'm', costMicros: 1_250_000, updatedAt: now });

    // A worker host under load, one the reporter should call lost, and one that stopped a week ago.
    // Their beats are timed from the clock the tools read (`now` above is the minute's start).
    const GIB = 2 ** 30;
    const beatAt = Date.now() - 2_000;
    await registerWorker(store(), {
      id: 'busy-host-1',
      host: 'busy-host',
      labels: ['gpu'],
      version: '0.1.0',
      startedAt: now - HOUR,
    });
    // Ten minutes ago it was half as busy: the last hour's average and peak take both beats.
    await recordWorkerBeat(store(), 'busy-host-1', beatAt - 10 * MINUTE, {
      cpuBusy: 0.455,
      cores: 8,
      load1: 3,
      memoryUsedBytes: 16 * GIB,
      memoryTotalBytes: 32 * GIB,
      diskAvailableBytes: 6 * GIB,
      diskSizeBytes: 100 * GIB,
      diskUsedBytes: 89 * GIB,
    });
    await recordWorkerBeat(store(), 'busy-host-1', beatAt, {
      cpuBusy: 0.955,
      cores: 8,
      load1: 11.5,
      memoryUsedBytes: 30 * GIB,
      memoryTotalBytes: 32 * GIB,
      diskAvailableBytes: 5 * GIB,
      diskSizeBytes: 100 * GIB,
      diskUsedBytes: 75 * GIB,
    });
    await registerWorker(store(), {
      id: 'gone-1',
      host: 'gone',
      labels: [],
      version: '0.1.0',
      startedAt: now - 2 * HOUR,
    });
    await recordWorkerBeat(store(), 'gone-1', beatAt - 10 * MINUTE);
    await registerWorker(store(), {
      id: 'old-1',
      host: 'old',
      labels: [],
      version: '0.1.0',
      startedAt: now - 8 * DAY,
    });
    await recordWorkerStop(store(), 'old-1', now - 7 * DAY);

    const tools = await toolClient(store());
    try {
      expect(await tools.call('worker_hosts')).toEqual([
        {
          worker: 'busy-host-1',
          host: 'busy-host',
          labels: ['gpu'],
          state: 'alive',
          runningRuns: 0,
          lastBeatAt: new Date(beatAt).toISOString(),
          hostLoad: {
            cpuBusyPercent: 95.5,
            cores: 8,
            load1: 11.5,
            memoryUsedPercent: 93.8,
            // df's Use%: used / (used + available); the 20 GiB reserved for root count as neither.
            dataDiskUsedPercent: 93.8,
          },
          hostLastHour: {
            beats: 2,
            cpuBusy: { averagePercent: 70.5, peakPercent: 95.5 },
            memoryUsed: { averagePercent: 71.9, peakPercent: 93.8 },
            load1Peak: 11.5,
          },
        },
        expect.objectContaining({ worker: 'gone-1', state: 'no beat', hostLoad: null, hostLastHour: null }),
      ]);
      expect(await tools.call('current_metrics')).toMatchObject({
        cpuBusyPercent: 60,
        cores: 2,
        memoryAvailablePercent: 25,
        disks: [{ mount: '/', usedPercent: 80 }],
      });
      const day = await tools.call('metric_stats', { window: '24h' });
      expect(day).toMatchObject({ window: '24h', tier: '1m', cpuBusyPercent: { peak: 60 } });
      expect(day.cpuBusyPercent.average).toBeGreaterThan(20);
      expect(day.cpuBusyPercent.average).toBeLessThan(60);
      const [root] = await tools.call('disk_forecast');
      // 20 GiB free at 2 GiB a day: ten days.
      expect(root.daysUntilFull).toBeCloseTo(10, 0);
      expect(await tools.call('claudeops_activity')).toMatchObject({
        failedRunsLast24h: [
          {
            id: failed,
            agent: agent.name,
            status: 'failed',
            errorCode: 'process_exit',
            finishedAt: new Date(now - HOUR + 5_000).toISOString(),
          },
        ],
        activeRuns: 1,
        spendTodayUsd: 1.25,
      });
    } finally {
      await tools.close();
    }
  });

  it('stores its report in the transaction that ends the run, and raises the critical event', async () => {
    const agent = await execute(store(), getBuiltinAgent(store(), SYSTEM_HEALTH_KEY));
    if (!agent) throw new Error('not seeded');
    const id = await insertRun(store(), agent.id, { status: 'completed', createdAt: 1 });
    const live = await execute(store(), getExecutionLive(store(), id));
    if (!live) throw new Error('run vanished');
    const events = await transaction(store(), (tx) =>
      recordHealthReport(tx, agent, { ...live, structuredOutput: REPORT }, 2),
    );
    expect(events.map((event) => [event.type, 'state' in event.data ? event.data.state : null])).toEqual([
      ['health.warning', 'resolved'],
      ['health.critical', 'firing'],
    ]);
    expect(await getLatestHealthReport(store())).toMatchObject({
      executionId: id,
      status: 'critical',
      report: REPORT,
    });
  });
});
