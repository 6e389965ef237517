import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import { recordHandBack } from '../../src/lib/db/queries/costs';
import {
  countHandedBackAttempts,
  getExecutionRow,
  handedBackExecutions,
  insertQueuedExecution,
  interruptUnfinishedExecutions,
  markExecutionRunning,
} from '../../src/lib/db/queries/executions';
import { sqliteStore } from '../../src/lib/db/store';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
beforeAll(() => {
  handle = createTestDb();
});
afterAll(() => handle.sqlite.close());

const NOW = 1_800_000_000_000;
const ZERO = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };

describe('runs a stopping server leaves for the next start', () => {
  it('are queued again at start while a crash still interrupts the others; an attempt start clears the mark', () => {
    const { id: agentId } = runOnSqlite(
      createAgent(sqliteStore(handle.db), {
        name: 'a',
        model: 'claude-sonnet-4-5',
        defaultPrompt: 'x',
      }),
    );
    const queued = () =>
      onSqlite(handle.db, (store) =>
        insertQueuedExecution(store, { agentId, prompt: 'x', model: 'm', trigger: 'api', createdAt: NOW }),
      );
    const handedBack = queued();
    onSqlite(handle.db, (store) =>
      markExecutionRunning(store, handedBack, { startedAt: NOW, attempt: 1, workerId: 'w' }),
    );
    onSqlite(handle.db, (store) =>
      recordHandBack(store, {
        execution: { id: handedBack, agentId, createdAt: NOW },
        handedBack: { at: NOW + 5, attempt: 2, from: { kind: 'prompt' } },
        progress: { ...ZERO, numTurns: 1, apiRetryCount: 0 },
        rows: [],
        previous: new Map(),
        attempt: {
          executionId: handedBack,
          attempt: 1,
          status: 'interrupted',
          startedAt: NOW,
          finishedAt: NOW + 5,
          errorCode: 'handed_back',
          errorMessage: 'handed back',
        },
        workerId: 'w',
      }),
    );
    const crashedQueued = queued();
    const crashedRunning = queued();
    onSqlite(handle.db, (store) =>
      markExecutionRunning(store, crashedRunning, { startedAt: NOW, attempt: 1, workerId: 'w' }),
    );

    expect(transactionOnSqlite(handle.db, interruptUnfinishedExecutions).sort()).toEqual(
      [crashedQueued, crashedRunning].sort(),
    );
    expect(
      onSqlite(handle.db, handedBackExecutions).map((row) => [row.id, row.status, row.handedBack]),
    ).toEqual([[handedBack, 'queued', { at: NOW + 5, attempt: 2, from: { kind: 'prompt' } }]]);
    expect(onSqlite(handle.db, (store) => getExecutionRow(store, handedBack))).toMatchObject({
      errorCode: 'handed_back',
      numTurns: 1,
    });
    expect(onSqlite(handle.db, (store) => countHandedBackAttempts(store, handedBack))).toBe(1);

    onSqlite(handle.db, (store) =>
      markExecutionRunning(store, handedBack, { startedAt: NOW + 10, attempt: 2, workerId: 'w2' }),
    );
    expect(onSqlite(handle.db, handedBackExecutions)).toEqual([]);
    expect(onSqlite(handle.db, (store) => getExecutionRow(store, handedBack))).toMatchObject({
      status: 'running',
      startedAt: NOW,
    });
  });
});
