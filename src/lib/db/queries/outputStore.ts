import type Database from 'better-sqlite3';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { LogLineDto, StepDto } from '../../contracts/executions';
import type { DbConnection } from '../index';
import { changesOf, type Plan, transaction } from '../plan';
import type { Store } from '../store';
import type { ExecutionProgress } from './executions';

/** What one flush stores for one execution: its new steps and lines, and the sequence they reach. */
export interface OutputBatch {
  executionId: number;
  /** The execution's `last_seq` after this batch. */
  seq: number;
  steps: StepDto[];
  logs: LogLineDto[];
  /** Progress figures to store with it, if they changed. */
  progress: ExecutionProgress | null;
}

/**
 * The executions whose batches a write left out: another worker holds the run (it went on
 * elsewhere while this one was cut off or paused), so late lines from here would land in its log
 * and take its sequence numbers.
 */
export type HeldElsewhere = number[];

/**
 * Where the live log writer's flushes go (engine/outputWriter.ts), one implementation per dialect:
 * a flush's batches are stored, and each execution's `last_seq` and activity time advanced, all
 * together or not at all. SQLite's returns when committed, Postgres' promises it, leaving out the
 * batches of runs another worker holds.
 */
export interface OutputStore {
  write(batches: readonly OutputBatch[], now: number): HeldElsewhere | Promise<HeldElsewhere>;
}

/** SQLite's: synchronous, so the engine's flush commits before the next statement. */
export interface SqliteOutputStore extends OutputStore {
  write(batches: readonly OutputBatch[], now: number): HeldElsewhere;
}

/**
 * better-sqlite3's own statements, prepared once, a row each, in one transaction: the live path is
 * latency-critical (issue 23), and there drizzle's per-row building costs more than SQLite's insert.
 */
export function sqliteOutputStore(sqlite: Database.Database): SqliteOutputStore {
  const insertStep = sqlite.prepare(
    `insert into execution_steps (execution_id, seq, kind, summary, tool_name, tool_use_id, is_error, payload, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLog = sqlite.prepare(
    'insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, ?, ?, ?)',
  );
  const advance = sqlite.prepare('update executions set last_seq = ?, last_activity_at = ? where id = ?');
  const advanceWithProgress = sqlite.prepare(
    `update executions set last_seq = ?, last_activity_at = ?, input_tokens = ?, output_tokens = ?,
     cache_creation_tokens = ?, cache_read_tokens = ?, num_turns = ?, api_retry_count = ? where id = ?`,
  );
  const writeBatch = (batch: OutputBatch, now: number) => {
    const id = batch.executionId;
    for (const s of batch.steps)
      insertStep.run(
        id,
        s.seq,
        s.kind,
        s.summary,
        s.toolName,
        s.toolUseId,
        s.isError ? 1 : 0,
        JSON.stringify(s.payload ?? null),
        s.createdAt,
      );
    for (const l of batch.logs) insertLog.run(id, l.seq, l.level, l.text, l.createdAt);
    const p = batch.progress;
    if (p)
      advanceWithProgress.run(
        batch.seq,
        now,
        p.inputTokens,
        p.outputTokens,
        p.cacheCreationTokens,
        p.cacheReadTokens,
        p.numTurns,
        p.apiRetryCount,
        id,
      );
    else advance.run(batch.seq, now, id);
  };
  const writeAll = sqlite.transaction((batches: readonly OutputBatch[], now: number) => {
    for (const batch of batches) writeBatch(batch, now);
  });
  return {
    write: (batches, now) => {
      writeAll(batches, now);
      return [];
    },
  };
}

/** Rows per insert statement: 9 parameters a step, well under Postgres' 65,535 a statement. */
const ROWS_PER_INSERT = 1_000;

function chunked<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let from = 0; from < rows.length; from += ROWS_PER_INSERT)
    chunks.push(rows.slice(from, from + ROWS_PER_INSERT));
  return chunks;
}

/**
 * A flush through drizzle: each execution advanced unless another worker holds it (in id order,
 * the order the reaper locks them in), then the rows of those advanced in multi-row inserts (one
 * round trip per thousand rows). Yields the batches stored.
 */
function* writeOutput(
  { db, t }: Store,
  batches: readonly OutputBatch[],
  now: number,
  writerId: string,
): Plan<OutputBatch[]> {
  const e = t.executions;
  const stored: OutputBatch[] = [];
  for (const batch of [...batches].sort((a, b) => a.executionId - b.executionId)) {
    const advanced = yield* changesOf(
      db
        .update(e)
        .set({ lastSeq: batch.seq, lastActivityAt: now, ...batch.progress })
        .where(and(eq(e.id, batch.executionId), or(isNull(e.workerId), eq(e.workerId, writerId)))),
    );
    if (advanced > 0) stored.push(batch);
  }
  const steps = stored.flatMap(({ executionId, steps }) =>
    steps.map((step) => ({
      executionId,
      ...step,
      // JSON null, as SQLite stores it: a bare null would be SQL NULL in a not-null jsonb column.
      payload: step.payload == null ? sql`'null'` : step.payload,
    })),
  );
  const logs = stored.flatMap(({ executionId, logs }) => logs.map((line) => ({ executionId, ...line })));
  for (const chunk of chunked(steps)) yield* changesOf(db.insert(t.executionSteps).values(chunk));
  for (const chunk of chunked(logs)) yield* changesOf(db.insert(t.executionLogs).values(chunk));
  return stored;
}

/** More writes for a flush's transaction, committed with its rows (the live announcement: src/lib/live). */
export type WithOutput = (tx: Store, batches: readonly OutputBatch[]) => Plan<void>;

/** Postgres': drizzle, one transaction per flush on one client of the pool. */
export function postgresOutputStore(store: Store, writerId: string, withOutput?: WithOutput): OutputStore {
  return {
    write: (batches, now) =>
      transaction(store, function* (tx) {
        const stored = yield* writeOutput(tx, batches, now, writerId);
        if (withOutput && stored.length > 0) yield* withOutput(tx, stored);
        return batches.flatMap((batch) => (stored.includes(batch) ? [] : [batch.executionId]));
      }),
  };
}

/**
 * The output store of `store`'s dialect (a SQLite store must be a connection, not a transaction).
 * On Postgres it writes for the worker `writerId`, and `withOutput` joins each flush (the live
 * announcement); SQLite's one process needs neither.
 */
export function outputStoreOf(store: Store, writerId: string, withOutput?: WithOutput): OutputStore {
  return store.dialect === 'sqlite'
    ? sqliteOutputStore((store.db as DbConnection).$client)
    : postgresOutputStore(store, writerId, withOutput);
}
