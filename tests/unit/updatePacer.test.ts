import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionLive } from '../../src/lib/contracts/executions';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import { getExecutionLive, insertQueuedExecution } from '../../src/lib/db/queries/executions';
import { sqliteStore } from '../../src/lib/db/store';
import { RUNNING_UPDATE_INTERVAL_MS, UpdatePacer } from '../../src/lib/websocket/updatePacer';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
let queued: ExecutionLive;

beforeAll(() => {
  handle = createTestDb();
  const agent = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'a', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  const id = onSqlite(handle.db, (store) =>
    insertQueuedExecution(store, {
      agentId: agent.id,
      prompt: 'p',
      model: agent.model,
      trigger: 'manual',
    }),
  );
  const live = onSqlite(handle.db, (store) => getExecutionLive(store, id));
  if (!live) throw new Error('execution vanished');
  queued = live;
});

afterAll(() => handle.sqlite.close());

/** A pacer on a clock the test moves, recording what it sends. */
function pacedBy() {
  let now = 1_000_000;
  const timers: { at: number; callback: () => void }[] = [];
  const sent: ExecutionLive[] = [];
  const pacer = new UpdatePacer((execution) => sent.push(execution), {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.push({ at: now + ms, callback });
      return setTimeout(() => {}, 0);
    },
  });
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    timers.splice(0, timers.length, ...timers.filter((t) => t.at > now));
    for (const timer of due) timer.callback();
  };
  return { pacer, sent, advance };
}

const running = (outputTokens: number): ExecutionLive => ({ ...queued, status: 'running', outputTokens });

describe('pacing of a run’s live view', () => {
  it('sends a status change at once, and a running run’s figures at most once per interval, the newest', () => {
    const { pacer, sent, advance } = pacedBy();
    pacer.update(queued);
    pacer.update(running(0));
    expect(sent.map((e) => e.status)).toEqual(['queued', 'running']);

    pacer.update(running(10));
    pacer.update(running(20));
    advance(RUNNING_UPDATE_INTERVAL_MS - 1);
    expect(sent).toHaveLength(2);
    advance(1);
    expect(sent.map((e) => e.outputTokens)).toEqual([0, 0, 20]);

    // After a quiet interval, the next change goes at once.
    advance(RUNNING_UPDATE_INTERVAL_MS);
    pacer.update(running(30));
    expect(sent.at(-1)?.outputTokens).toBe(30);
  });

  it('sends the ending at once and drops the figures still waiting', () => {
    const { pacer, sent, advance } = pacedBy();
    pacer.update(running(0));
    pacer.update(running(5));
    pacer.update({ ...running(9), status: 'completed' });
    advance(RUNNING_UPDATE_INTERVAL_MS * 2);
    expect(sent.map((e) => [e.status, e.outputTokens])).toEqual([
      ['running', 0],
      ['completed', 9],
    ]);
  });

  it('paces each run on its own', () => {
    const { pacer, sent } = pacedBy();
    pacer.update(running(1));
    pacer.update({ ...running(1), id: queued.id + 1 });
    expect(sent).toHaveLength(2);
  });
});
