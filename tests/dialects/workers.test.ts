import { expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import {
  listWorkers,
  recordWorkerBeat,
  recordWorkerDraining,
  recordWorkerStop,
  registerWorker,
} from '../../src/lib/db/queries/workers';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect, insertAgent } from '../helpers/stores';

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
});
