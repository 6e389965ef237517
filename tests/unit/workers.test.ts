import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { createAgent } from '../../src/lib/db/queries/agents';
import { insertQueuedExecution, markExecutionRunning } from '../../src/lib/db/queries/executions';
import {
  listWorkers,
  recordWorkerBeat,
  recordWorkerDraining,
  recordWorkerStop,
  registerWorker,
} from '../../src/lib/db/queries/workers';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
beforeAll(() => {
  handle = createTestDb();
});
afterAll(() => handle.sqlite.close());

const NOW = 1_800_000_000_000;

function worker(id: string, startedAt: number) {
  registerWorker(handle.db, { id, host: 'box', labels: ['repo-a'], version: '0.1.0', startedAt });
}

describe('workers', () => {
  it('lists workers newest first: alive while beating within 30 s and not stopped, with their running runs', () => {
    worker('stopped', NOW - 300_000);
    recordWorkerStop(handle.db, 'stopped', NOW - 200_000);
    worker('silent', NOW - 100_000);
    recordWorkerBeat(handle.db, 'silent', NOW - 30_001);
    worker('beating', NOW - 60_000);
    recordWorkerBeat(handle.db, 'beating', NOW - 30_000);

    const { id: agentId } = createAgent(handle.db, {
      name: 'a',
      model: 'claude-sonnet-4-5',
      defaultPrompt: 'x',
    });
    const run = (workerId: string) => {
      const id = insertQueuedExecution(handle.db, { agentId, prompt: 'x', model: 'm', trigger: 'api' });
      markExecutionRunning(handle.db, id, { startedAt: NOW, attempt: 1, workerId });
      return id;
    };
    run('beating');
    run('beating');
    run('silent');
    // Queued runs are on no worker yet.
    insertQueuedExecution(handle.db, { agentId, prompt: 'x', model: 'm', trigger: 'api' });

    expect(
      listWorkers(handle.db, NOW).map(({ id, alive, runningRuns, stoppedAt }) => ({
        id,
        alive,
        runningRuns,
        stoppedAt,
      })),
    ).toEqual([
      { id: 'beating', alive: true, runningRuns: 2, stoppedAt: null },
      { id: 'silent', alive: false, runningRuns: 1, stoppedAt: null },
      { id: 'stopped', alive: false, runningRuns: 0, stoppedAt: NOW - 200_000 },
    ]);
    expect(listWorkers(handle.db, NOW)[0]).toMatchObject({
      host: 'box',
      labels: ['repo-a'],
      version: '0.1.0',
      startedAt: NOW - 60_000,
      lastBeatAt: NOW - 30_000,
    });
  });

  it('a draining worker stays alive (it beats on) and keeps saying since when once stopped', () => {
    worker('draining', NOW - 10_000);
    recordWorkerDraining(handle.db, 'draining', NOW - 5_000);
    const listed = () => listWorkers(handle.db, NOW).find((row) => row.id === 'draining');
    expect(listed()).toMatchObject({ alive: true, drainingSince: NOW - 5_000, stoppedAt: null });
    recordWorkerStop(handle.db, 'draining', NOW - 1_000);
    expect(listed()).toMatchObject({ alive: false, drainingSince: NOW - 5_000, stoppedAt: NOW - 1_000 });
  });
});
