import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/lib/db';
import { runOnSqlite } from '../../../src/lib/db/plan';
import { createAgent } from '../../../src/lib/db/queries/agents';
import { sqliteStore } from '../../../src/lib/db/store';
import { pruneRunOutput } from '../../../src/lib/storage/outputRetention';
import { createTestDb } from '../../helpers/testDb';

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-12-01T00:00:00Z');
let handle: DbHandle;
const immediate = async () => {};

beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

/** A run with `lines` log lines and two steps, ended `daysAgo` (or still running). */
function run(daysAgo: number | null, lines: number): number {
  const agent = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: `a${Math.random()}`, model: 'm', defaultPrompt: 'p' }),
  );
  const ended = daysAgo === null ? null : NOW - daysAgo * DAY_MS;
  const id = Number(
    handle.sqlite
      .prepare(
        `insert into executions (agent_id, trigger, status, prompt, model, created_at, finished_at, cost_micros, result_text, last_seq)
         values (?, 'manual', ?, 'p', 'm', 0, ?, 500, 'result', ?)`,
      )
      .run(agent.id, ended === null ? 'running' : 'completed', ended, lines + 2).lastInsertRowid,
  );
  const step = handle.sqlite.prepare(
    "insert into execution_steps (execution_id, seq, kind, summary, is_error, payload, created_at) values (?, ?, 'system', 's', 0, 'null', 0)",
  );
  step.run(id, 1);
  step.run(id, 2);
  const log = handle.sqlite.prepare(
    "insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, 'info', 'x', 0)",
  );
  // One transaction: 45,000 commits of one row each took seconds on a busy machine.
  handle.sqlite.transaction(() => {
    for (let seq = 3; seq <= lines + 2; seq++) log.run(id, seq);
  })();
  return id;
}

const outputOf = (id: number) =>
  handle.sqlite
    .prepare(
      'select (select count(*) from execution_logs where execution_id = ?) as logs, (select count(*) from execution_steps where execution_id = ?) as steps',
    )
    .get(id, id);

describe('pruneRunOutput', () => {
  it('drops the output of runs ended before the cutoff, in batches, and keeps the runs themselves', async () => {
    const old = run(40, 1_234);
    const recent = run(10, 50);
    const running = run(null, 50);
    const round = await pruneRunOutput(sqliteStore(handle.db), NOW, 30 * DAY_MS, {
      pause: immediate,
      rest: immediate,
    });

    expect(round).toMatchObject({ at: NOW, runs: 1, rows: 1_236 });
    expect(outputOf(old)).toEqual({ logs: 0, steps: 0 });
    expect(outputOf(recent)).toEqual({ logs: 50, steps: 2 });
    expect(outputOf(running)).toEqual({ logs: 50, steps: 2 });
    expect(
      handle.sqlite
        .prepare('select cost_micros, result_text, output_pruned_at from executions where id = ?')
        .get(old),
    ).toEqual({ cost_micros: 500, result_text: 'result', output_pruned_at: NOW });
    // A second round finds nothing left to do.
    expect(
      await pruneRunOutput(sqliteStore(handle.db), NOW, 30 * DAY_MS, { pause: immediate, rest: immediate }),
    ).toMatchObject({
      runs: 0,
      rows: 0,
    });
  });

  it('rests after every 20,000 rows, so the write-ahead log can start over', async () => {
    run(40, 45_000);
    let rests = 0;
    await pruneRunOutput(sqliteStore(handle.db), NOW, 30 * DAY_MS, {
      pause: immediate,
      rest: async () => {
        rests += 1;
      },
    });
    expect(rests).toBe(2);
  });
});
