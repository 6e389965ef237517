// One box's live output for unit tests: a SQLite file, the engine's event bus, the real output
// writer publishing each commit on it, and the run feed over both, as the server wires them.
import { eq } from 'drizzle-orm';
import { execute } from '../../src/lib/db/plan';
import { getExecutionLive } from '../../src/lib/db/queries/executions';
import { sqliteOutputStore } from '../../src/lib/db/queries/outputStore';
import { sqliteStore } from '../../src/lib/db/store';
import { EngineEvents } from '../../src/lib/engine/events';
import { OutputWriter } from '../../src/lib/engine/outputWriter';
import { engineAnnouncements } from '../../src/lib/live/inProcess';
import { runFeed } from '../../src/lib/live/runFeed';
import { SecretMasker } from '../../src/lib/security/secrets';
import { createTestDb } from './testDb';

export function inProcessLive() {
  const handle = createTestDb();
  const store = sqliteStore(handle.db);
  const events = new EngineEvents();
  /** What a listener of the bus threw: a test expects none. */
  const listenerErrors: unknown[] = [];
  const writer = new OutputWriter(
    sqliteOutputStore(handle.sqlite),
    new SecretMasker([]),
    (outputs) => {
      for (const { executionId, seq, steps, logs } of outputs)
        events.emit({ type: 'run.output', executionId, seq, steps, logs }, (error) =>
          listenerErrors.push(error),
        );
    },
    (error) => listenerErrors.push(error),
  );
  const feed = runFeed(store, engineAnnouncements(events));

  /** The engine's ending: committed, then published with the run's view. */
  async function endRun(runId: number): Promise<void> {
    handle.db
      .update(store.t.executions)
      .set({ status: 'completed' })
      .where(eq(store.t.executions.id, runId))
      .run();
    const execution = await execute(store, getExecutionLive(store, runId));
    if (!execution) throw new Error('the run is gone');
    events.emit({ type: 'run.ended', execution }, (error) => listenerErrors.push(error));
  }

  return { handle, store, events, writer, feed, listenerErrors, endRun, close: () => handle.sqlite.close() };
}
