import { expect, it } from 'vitest';
import { thisHost } from '../../src/lib/config/host';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { HostVitals } from '../../src/lib/contracts/workers';
import { execute, transaction } from '../../src/lib/db/plan';
import { reapDeadWorkers } from '../../src/lib/db/queries/runClaims';
import {
  hostLoad,
  listWorkers,
  recordWorkerBeat,
  recordWorkerDraining,
  recordWorkerStop,
  registerWorker,
} from '../../src/lib/db/queries/workers';
import type { Store } from '../../src/lib/db/store';
import { maintainHostMetrics } from '../../src/lib/metrics/retention';
import { describeOnEachDialect, insertAgent } from '../helpers/stores';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

const NOW = 1_800_000_000_000;

function worker(store: Store, id: string, startedAt: number) {
  return registerWorker(store, { id, host: 'box', labels: ['repo-a'], version: '0.1.0', startedAt });
}

async function run(store: Store, agentId: number, status: ExecutionStatus, workerId: string | null) {
  const { db, t } = store;
  await db.insert(t.executions).values({
    agentId,
    trigger: 'api',
    status,
    prompt: 'x',
    model: 'm',
    createdAt: NOW,
    workerId,
  });
}

describeOnEachDialect('workers', (store) => {
  it('lists workers newest first: alive while beating within 30 s and not stopped, with their running runs', async () => {
    await worker(store(), 'stopped', NOW - 300_000);
    await recordWorkerStop(store(), 'stopped', NOW - 200_000);
    await worker(store(), 'silent', NOW - 100_000);
    await recordWorkerBeat(store(), 'silent', NOW - 30_001);
    await worker(store(), 'beating', NOW - 60_000);
    await recordWorkerBeat(store(), 'beating', NOW - 30_000);

    const agentId = await insertAgent(store());
    await run(store(), agentId, 'running', 'beating');
    await run(store(), agentId, 'running', 'beating');
    await run(store(), agentId, 'running', 'silent');
    // Only running runs count: a finished one on the worker, a queued one on none yet.
    await run(store(), agentId, 'completed', 'beating');
    await run(store(), agentId, 'queued', null);

    const listed = await listWorkers(store(), NOW);
    expect(
      listed.map(({ id, alive, runningRuns, stoppedAt }) => ({ id, alive, runningRuns, stoppedAt })),
    ).toEqual([
      { id: 'beating', alive: true, runningRuns: 2, stoppedAt: null },
      { id: 'silent', alive: false, runningRuns: 1, stoppedAt: null },
      { id: 'stopped', alive: false, runningRuns: 0, stoppedAt: NOW - 200_000 },
    ]);
    expect(listed[0]).toMatchObject({
      host: 'box',
      labels: ['repo-a'],
      version: '0.1.0',
      startedAt: NOW - 60_000,
      lastBeatAt: NOW - 30_000,
      drainingSince: null,
    });
  });

  it('a draining worker stays alive (it beats on) and keeps saying since when once stopped', async () => {
    await worker(store(), 'draining', NOW - 10_000);
    await recordWorkerDraining(store(), 'draining', NOW - 5_000);
    const listed = async () => (await listWorkers(store(), NOW)).find((row) => row.id === 'draining');
    expect(await listed()).toMatchObject({ alive: true, drainingSince: NOW - 5_000, stoppedAt: null });
    await recordWorkerStop(store(), 'draining', NOW - 1_000);
    expect(await listed()).toMatchObject({
      alive: false,
      drainingSince: NOW - 5_000,
      stoppedAt: NOW - 1_000,
    });
  });

  it('keeps the host figures each beat brings, whole, until the next beat that brings some', async () => {
    const vitals = {
      cpuBusy: 0.375,
      cores: 2,
      load1: 1.25,
      memoryUsedBytes: 6 * 2 ** 30,
      memoryTotalBytes: 24 * 2 ** 30,
      diskAvailableBytes: 120 * 2 ** 30,
      diskSizeBytes: 500 * 2 ** 30,
      diskUsedBytes: 360 * 2 ** 30,
    };
    const listed = async () => (await listWorkers(store(), NOW)).find((row) => row.id === 'measured');
    await registerWorker(store(), {
      id: 'measured',
      host: 'box',
      labels: [],
      version: '0.1.0',
      startedAt: NOW - 10_000,
      vitals: { ...vitals, cpuBusy: null },
    });
    expect((await listed())?.vitals).toEqual({ ...vitals, cpuBusy: null });
    await recordWorkerBeat(store(), 'measured', NOW - 5_000, vitals);
    expect((await listed())?.vitals).toEqual(vitals);
    // A beat whose figures were not read leaves the last ones.
    await recordWorkerBeat(store(), 'measured', NOW - 1_000);
    expect(await listed()).toMatchObject({ vitals, lastBeatAt: NOW - 1_000 });
  });

  it("charts a host's load from its workers' beats: averaged per bucket across restarts, other hosts left out, kept a day", async () => {
    const figures = (cpuBusy: number | null, disk: number | null): HostVitals => ({
      cpuBusy,
      cores: 4,
      load1: 2,
      memoryUsedBytes: 6 * 2 ** 30,
      memoryTotalBytes: 24 * 2 ** 30,
      diskAvailableBytes: disk === null ? null : disk * 2 ** 30,
      diskSizeBytes: disk === null ? null : (4 * disk + 20) * 2 ** 30,
      // df's Use% is used / (used + available), 3/4 here: the 20 GiB reserved for root count as neither.
      diskUsedBytes: disk === null ? null : 3 * disk * 2 ** 30,
    });
    const onHost = (id: string, host: string, startedAt: number, vitals: HostVitals) =>
      registerWorker(store(), { id, host, labels: [], version: '0.1.0', startedAt, vitals });
    // Two hours ago, at its start (no CPU share before a second reading).
    await onHost('build-1', 'build', NOW - 7_200_000, figures(null, 125));
    // Ten minutes ago, two beats in one bucket.
    await recordWorkerBeat(store(), 'build-1', NOW - 600_000, figures(0.25, 125));
    await recordWorkerBeat(store(), 'build-1', NOW - 599_000, figures(0.5, 125));
    // Restarted: another worker on the same host, its disk not read.
    await onHost('build-2', 'build', NOW - 60_000, figures(0.75, null));
    // Another host, and a worker taken for dead whose late beat is refused and not charted.
    await onHost('gpu-1', 'gpu', NOW - 60_000, figures(1, 10));
    await transaction(store(), (tx) => reapDeadWorkers(tx, NOW, ['gpu-1']));
    expect(await recordWorkerBeat(store(), 'gpu-1', NOW - 30_000, figures(0, 10))).toBe(false);

    const hour = await execute(store(), hostLoad(store(), { host: 'build', range: '1h' }, NOW));
    expect(hour).toEqual({
      host: 'build',
      range: '1h',
      from: NOW - 3_600_000,
      to: NOW,
      stepMs: 5_000,
      t: [NOW - 600_000, NOW - 60_000],
      cpuBusy: [0.375, 0.75],
      memoryUsed: [0.25, 0.25],
      load1: [2, 2],
      diskUsed: [0.75, null],
    });
    const day = async () => execute(store(), hostLoad(store(), { host: 'build', range: '24h' }, NOW));
    expect(await day()).toMatchObject({
      stepMs: 120_000,
      t: [NOW - 7_200_000, NOW - 600_000, NOW - 120_000],
      cpuBusy: [null, 0.375, 0.75],
    });
    expect((await execute(store(), hostLoad(store(), { host: 'gpu', range: '1h' }, NOW))).cpuBusy).toEqual([
      1,
    ]);

    // The metrics maintenance drops what is older than a day.
    const retention = { rawMs: 86_400_000, minuteMs: 86_400_000, hourMs: 86_400_000 };
    await maintainHostMetrics(store(), HOST, NOW - 599_000 + 86_400_000, retention, async () => {});
    expect(await day()).toMatchObject({ t: [NOW - 600_000, NOW - 120_000], cpuBusy: [0.5, 0.75] });
  });
});
