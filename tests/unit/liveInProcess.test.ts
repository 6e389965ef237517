import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { execute } from '../../src/lib/db/plan';
import { getExecutionLive } from '../../src/lib/db/queries/executions';
import { sqliteOutputStore } from '../../src/lib/db/queries/outputStore';
import { sqliteStore } from '../../src/lib/db/store';
import { EngineEvents } from '../../src/lib/engine/events';
import { OutputWriter } from '../../src/lib/engine/outputWriter';
import { engineAnnouncements } from '../../src/lib/live/inProcess';
import { runFeed } from '../../src/lib/live/runFeed';
import { SecretMasker } from '../../src/lib/security/secrets';
import { collect, expectFollowedToTheEnd } from '../helpers/liveFeed';
import { streamLines } from '../helpers/liveStream';
import { insertAgent, insertRun } from '../helpers/stores';
import { createTestDb } from '../helpers/testDb';

// The live feed on one box: SQLite and the engine's event bus, held to the same assertions as the
// Postgres feed across processes (tests/postgres/liveAcross.test.ts).

describe('live output in process (sqlite, the event bus)', () => {
  const handle = createTestDb();
  const store = sqliteStore(handle.db);
  const events = new EngineEvents();
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
  afterAll(() => handle.sqlite.close());

  it('hands a follower resuming mid-stream every line after its seq once, in order, while lines keep committing, then the ending', async () => {
    const runId = await insertRun(store, await insertAgent(store, 'live'));
    const first = writer.open(runId, 0);
    await streamLines(first, 3_000, 'first');
    const firstEnd = first.lastSeq;
    const afterSeq = Math.floor(firstEnd / 3);
    const follower = collect(feed, runId, afterSeq);
    const second = writer.open(runId, firstEnd);
    await streamLines(second, 4_000, 'second');
    await follower.until(() => follower.follow.deliveredSeq >= second.lastSeq);

    // The engine's ending: committed, then published with the run's view.
    handle.db
      .update(store.t.executions)
      .set({ status: 'completed' })
      .where(eq(store.t.executions.id, runId))
      .run();
    const execution = await execute(store, getExecutionLive(store, runId));
    if (!execution) throw new Error('the run is gone');
    events.emit({ type: 'run.ended', execution }, (error) => listenerErrors.push(error));
    await expectFollowedToTheEnd(follower, store, runId, afterSeq, 4_000);
    expect(listenerErrors).toEqual([]);
  });

  it('reports a run that does not exist, and stops following it', async () => {
    const follower = collect(feed, 999_999, 0);
    await follower.until(() => follower.errors.length > 0);
    expect(follower.errors).toEqual([
      expect.objectContaining({ kind: 'not_found', message: 'Execution not found' }),
    ]);
  });
});
