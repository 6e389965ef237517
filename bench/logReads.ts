import assert from 'node:assert/strict';
import type { DbConnection } from '../src/lib/db';
import { onSqlite, runOnSqlite } from '../src/lib/db/plan';
import { createAgent } from '../src/lib/db/queries/agents';
import {
  getExecutionLive,
  getExecutionLogs,
  getExecutionLogsBefore,
  getExecutionSteps,
  insertQueuedExecution,
} from '../src/lib/db/queries/executions';
import { sqliteStore } from '../src/lib/db/store';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt } from './measure';
import { sized } from './smoke';

const LINES = sized(20_000, 500);
/** A step every tenth seq, as a chatty tool run has. */
const STEP_EVERY = 10;
const PAGE = 100;
const REPLAY_CHUNK = 2_000;
const READS = 100;

/** The run reads the product makes, as it calls them. */
function readsOf(db: DbConnection) {
  return {
    logsBefore: (id: number, beforeSeq: number) =>
      onSqlite(db, (store) => getExecutionLogsBefore(store, id, beforeSeq, PAGE)),
    logsAfter: (id: number, afterSeq: number) =>
      onSqlite(db, (store) => getExecutionLogs(store, id, afterSeq, REPLAY_CHUNK)),
    steps: (id: number, afterSeq: number, throughSeq: number) =>
      onSqlite(db, (store) => getExecutionSteps(store, id, afterSeq, throughSeq)),
    live: (id: number) => onSqlite(db, (store) => getExecutionLive(store, id)),
  };
}

/**
 * Reading a run back: the log viewer's pages on scroll, the live view every subscriber gets, and a
 * whole run replayed in chunks with its steps (a lagging socket, an SSE reconnect). Against the
 * same reads as raw better-sqlite3 statements prepared once (the floor).
 */
export function benchLogReads(): BenchResult[] {
  const handle = createTestDb();
  const { db, sqlite } = handle;
  const agent = runOnSqlite(
    createAgent(sqliteStore(db), { name: 'bench', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  const id = onSqlite(db, (store) =>
    insertQueuedExecution(store, { agentId: agent.id, prompt: 'p', model: agent.model, trigger: 'manual' }),
  );
  const insertLog = sqlite.prepare(
    "insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, 'info', ?, ?)",
  );
  const insertStep = sqlite.prepare(
    `insert into execution_steps (execution_id, seq, kind, summary, tool_name, payload, created_at)
     values (?, ?, 'tool_use', ?, 'Bash', ?, ?)`,
  );
  sqlite.transaction(() => {
    for (let seq = 1; seq <= LINES; seq++)
      if (seq % STEP_EVERY === 0)
        insertStep.run(id, seq, `step ${seq}`, JSON.stringify({ command: 'ls' }), seq);
      else insertLog.run(id, seq, `line ${seq} of a fairly ordinary tool output`, seq);
    sqlite.prepare('update executions set last_seq = ? where id = ?').run(LINES, id);
  })();

  const reads = readsOf(db);
  const raw = {
    logsBefore: sqlite.prepare(
      `select seq, level, text, created_at from execution_logs where execution_id = ? and seq < ?
       order by seq desc limit ?`,
    ),
    logsAfter: sqlite.prepare(
      `select seq, level, text, created_at from execution_logs where execution_id = ? and seq > ?
       order by seq limit ?`,
    ),
    steps: sqlite.prepare(
      `select seq, kind, summary, tool_name, tool_use_id, is_error, payload, created_at from execution_steps
       where execution_id = ? and seq > ? and seq <= ? order by seq`,
    ),
    live: sqlite.prepare('select * from executions where id = ?'),
  };
  // Scroll positions spread over the log, the same for both.
  const befores = Array.from({ length: READS }, (_, i) => Math.floor(((i + 1) * LINES) / READS) + 1);

  const pagesRaw = timeIt(`${READS} log pages of ${PAGE} before a seq, raw prepared (the floor)`, 30, () => {
    for (const before of befores) (raw.logsBefore.all(id, before, PAGE) as unknown[]).reverse();
  });
  const pages = timeIt(`${READS} log pages of ${PAGE} before a seq (getExecutionLogsBefore)`, 30, () => {
    for (const before of befores) reads.logsBefore(id, before);
  });
  const liveRaw = timeIt(`${READS} live views, raw prepared row (the floor)`, 30, () => {
    for (let i = 0; i < READS; i++) raw.live.get(id);
  });
  const live = timeIt(`${READS} live views (getExecutionLive)`, 30, () => {
    for (let i = 0; i < READS; i++) assert.ok(reads.live(id));
  });
  const replay = (
    logsAfter: (after: number) => { seq: number }[],
    steps: (a: number, t: number) => unknown[],
  ) => {
    let sent = 0;
    for (;;) {
      const logs = logsAfter(sent);
      const last = logs.at(-1);
      const through = logs.length === REPLAY_CHUNK && last ? last.seq : Number.MAX_SAFE_INTEGER;
      steps(sent, through);
      sent = last?.seq ?? sent;
      if (through === Number.MAX_SAFE_INTEGER) break;
    }
  };
  const replayRaw = timeIt(
    `replay of ${LINES} seqs in chunks of ${REPLAY_CHUNK}, raw prepared (the floor)`,
    10,
    () =>
      replay(
        (after) => raw.logsAfter.all(id, after, REPLAY_CHUNK) as { seq: number }[],
        (after, through) => raw.steps.all(id, after, through),
      ),
  );
  const replayed = timeIt(`replay of ${LINES} seqs in chunks of ${REPLAY_CHUNK} (logs + steps)`, 10, () =>
    replay(
      (after) => reads.logsAfter(id, after),
      (after, through) => reads.steps(id, after, through),
    ),
  );
  sqlite.close();
  return [
    pagesRaw,
    { ...pages, baseline: pagesRaw },
    liveRaw,
    { ...live, baseline: liveRaw },
    replayRaw,
    { ...replayed, baseline: replayRaw },
  ];
}
