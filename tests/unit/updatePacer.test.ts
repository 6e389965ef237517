import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExecutionLive } from '../../src/lib/contracts/executions';
import { EventBus } from '../../src/lib/core/eventBus';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import { getExecutionLive, insertQueuedExecution } from '../../src/lib/db/queries/executions';
import { sqliteStore } from '../../src/lib/db/store';
import type { EngineEvent } from '../../src/lib/engine/events';
import { announceStatusChanges, SPEND_ANNOUNCE_INTERVAL_MS } from '../../src/lib/live/statusAnnouncer';
import { RUNNING_UPDATE_INTERVAL_MS, UpdatePacer } from '../../src/lib/live/updatePacer';
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
  const pacer = new UpdatePacer((execution) => sent.push(execution), RUNNING_UPDATE_INTERVAL_MS, {
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

describe('status announcements to the other processes (Postgres)', () => {
  /** The engine's events, and what is announced of them on the output channel. */
  function announcing() {
    vi.useFakeTimers();
    const events = new EventBus<EngineEvent>();
    const announced: ExecutionLive[] = [];
    const stop = announceStatusChanges(events, (execution) => announced.push(execution));
    const emit = (type: 'run.started' | 'run.updated' | 'run.ended', execution: ExecutionLive) =>
      events.emit({ type, execution }, (error) => {
        throw error;
      });
    return { announced, emit, stop };
  }
  const step = (costUsd: number, status: ExecutionLive['status'] = 'running'): ExecutionLive => ({
    ...queued,
    trigger: 'workflow',
    status,
    costUsd,
  });

  it('announces a workflow step’s spend at most once a second, its newest value, and its ending at once with what waited', () => {
    const { announced, emit, stop } = announcing();
    try {
      emit('run.started', step(0));
      for (let cents = 1; cents <= 20; cents++) {
        emit('run.updated', step(cents / 100));
        vi.advanceTimersByTime(100);
      }
      // 2 s of usage events, ten a second: the start at once, then the newest spend once a second.
      expect(announced.map((e) => e.costUsd)).toEqual([0, 0.1, 0.2]);

      // The ending goes at once with the newest spend; the one that waited is dropped.
      emit('run.updated', step(0.25));
      emit('run.ended', step(0.3, 'completed'));
      vi.advanceTimersByTime(SPEND_ANNOUNCE_INTERVAL_MS * 2);
      expect(announced.slice(2).map((e) => [e.status, e.costUsd])).toEqual([
        ['running', 0.2],
        ['completed', 0.3],
      ]);
    } finally {
      stop();
      vi.useRealTimers();
    }
  });

  it('announces nothing for a run outside a workflow whose spend moved', () => {
    const { announced, emit, stop } = announcing();
    try {
      emit('run.started', { ...queued, status: 'running' });
      emit('run.updated', { ...queued, status: 'running', costUsd: 0.5 });
      vi.advanceTimersByTime(SPEND_ANNOUNCE_INTERVAL_MS * 2);
      expect(announced.map((e) => e.status)).toEqual(['running']);
    } finally {
      stop();
      vi.useRealTimers();
    }
  });
});
