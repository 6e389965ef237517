// A worker's side of the live feed, in a process of its own (forked by tests/postgres/liveAcross.test.ts
// and bench/liveAcross.ts): it streams runs' output through the real output writer and Postgres
// output store, announced with each commit, and stops runs when a stop request for its worker comes.
import { eq } from 'drizzle-orm';
import type { EndedStatus } from '../../src/lib/contracts/executions';
import { rowsOf, transaction } from '../../src/lib/db/plan';
import { openPostgres } from '../../src/lib/db/postgres';
import { postgresOutputStore } from '../../src/lib/db/queries/outputStore';
import { OutputWriter } from '../../src/lib/engine/outputWriter';
import { announceOutput, announceStatus } from '../../src/lib/live/announcer';
import type { StopRequest } from '../../src/lib/live/control';
import { PostgresLive } from '../../src/lib/live/postgresLive';
import { SecretMasker } from '../../src/lib/security/secrets';
import { streamLines } from './liveStream';

export type ToWriter =
  | { type: 'stream'; executionId: number; fromSeq: number; lines: number; label: string }
  /** One line, committed at once: the bench times it from here to the follower. */
  | { type: 'line'; executionId: number; seq: number; text: string }
  | { type: 'end'; executionId: number; status: EndedStatus }
  | { type: 'exit' };
export type FromWriter =
  | { type: 'ready' }
  | { type: 'streamed'; executionId: number; seq: number }
  /** A commit, when it returned; `addedAt`: when its last line was handed to the writer (single lines). */
  | { type: 'committed'; executionId: number; seq: number; at: number; addedAt?: number }
  | { type: 'ended'; executionId: number }
  | { type: 'stopReached'; request: StopRequest; at: number }
  | { type: 'failed'; message: string };

const url = process.env.LIVE_URL ?? '';
const workerId = process.env.LIVE_WORKER_ID ?? '';
const send = (message: FromWriter) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();
const quiet = { info: () => {}, warn: (fields: object, message: string) => console.error(message, fields) };

const { store, close } = await openPostgres(url, { maxConnections: 4 });
const writer = new OutputWriter(
  postgresOutputStore(store, workerId, announceOutput),
  new SecretMasker([]),
  (outputs) => {
    const at = now();
    for (const { executionId, seq } of outputs) {
      send({ type: 'committed', executionId, seq, at, addedAt: addedAt.get(seq) });
      addedAt.delete(seq);
    }
  },
  (error) => send({ type: 'failed', message: String(error) }),
);
const live = new PostgresLive(url, quiet);
/** When each single line was handed to the writer, by its seq, until its commit. */
const addedAt = new Map<number, number>();

/** A run's ending as the engine will write it: its status, announced in the same transaction. */
function end(executionId: number, status: EndedStatus) {
  return transaction(store, function* (tx) {
    const [row] = yield* rowsOf(
      tx.db
        .update(tx.t.executions)
        .set({ status })
        .where(eq(tx.t.executions.id, executionId))
        .returning({ lastSeq: tx.t.executions.lastSeq }),
    );
    yield* announceStatus(tx, executionId, row?.lastSeq ?? 0, status);
  });
}

// The engine's stop, standing in: the run ends with the reason's status at once.
live.onStop(workerId, (request) => {
  send({ type: 'stopReached', request, at: now() });
  end(request.executionId, request.reason === 'budget' ? 'budget_exceeded' : 'cancelled').catch((error) =>
    send({ type: 'failed', message: String(error) }),
  );
});

process.on('message', async (message: ToWriter) => {
  try {
    if (message.type === 'stream') {
      const output = writer.open(message.executionId, message.fromSeq);
      await streamLines(output, message.lines, message.label);
      await writer.settled();
      send({ type: 'streamed', executionId: message.executionId, seq: output.lastSeq });
    } else if (message.type === 'line') {
      // Committed by the writer's group commit on the next turn of the event loop, as in a run.
      addedAt.set(message.seq, now());
      writer.open(message.executionId, message.seq - 1).addLog({ level: 'info', text: message.text });
    } else if (message.type === 'end') {
      await end(message.executionId, message.status);
      send({ type: 'ended', executionId: message.executionId });
    } else {
      await live.close();
      await close();
      process.exit(0);
    }
  } catch (error) {
    send({ type: 'failed', message: String(error) });
  }
});
send({ type: 'ready' });
