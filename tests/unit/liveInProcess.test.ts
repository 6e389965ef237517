import { afterAll, describe, expect, it } from 'vitest';
import { executionEventStream } from '../../src/lib/http/executionEventStream';
import { inProcessLive } from '../helpers/inProcessLive';
import {
  collect,
  expectFollowedToTheEnd,
  expectOnlyTheEnding,
  expectStreamedToTheEnd,
  expectUnknownRunRefused,
} from '../helpers/liveFeed';
import { streamLines } from '../helpers/liveStream';
import { readStream } from '../helpers/sseClient';
import { insertAgent, insertRun } from '../helpers/stores';

// The live feed on one box: SQLite and the engine's event bus, held to the same assertions as the
// Postgres feed across processes (tests/postgres/liveAcross.test.ts).

describe('live output in process (sqlite, the event bus)', () => {
  const { store, writer, feed, listenerErrors, endRun, close } = inProcessLive();
  afterAll(close);

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

    await endRun(runId);
    await expectFollowedToTheEnd(follower, store, runId, afterSeq, 4_000);
    expect(listenerErrors).toEqual([]);
  });

  describe('as Server-Sent Events (GET /api/executions/:id/events)', () => {
    // The engine does not hold these runs: their views are read from the store.
    const source = { feed, store, liveView: () => undefined };

    it('streams from mid-stream while lines keep committing, then the ending, and closes', async () => {
      const runId = await insertRun(store, await insertAgent(store, 'sse'));
      const first = writer.open(runId, 0);
      await streamLines(first, 3_000, 'first');
      const afterSeq = Math.floor(first.lastSeq / 3);
      const reading = readStream(await executionEventStream(source, runId, afterSeq));
      await streamLines(writer.open(runId, first.lastSeq), 4_000, 'second');
      await endRun(runId);
      await expectStreamedToTheEnd(await reading, store, runId, afterSeq, 4_000);
      expect(listenerErrors).toEqual([]);
    });

    it('replays an ended run and closes; resumed from its last id, only the ending comes', async () => {
      const runId = await insertRun(store, await insertAgent(store, 'sse-ended'));
      const output = writer.open(runId, 0);
      await streamLines(output, 500, 'done');
      await endRun(runId);
      await expectStreamedToTheEnd(
        await readStream(await executionEventStream(source, runId, 0)),
        store,
        runId,
        0,
        500,
      );
      await expectOnlyTheEnding(source, runId, output.lastSeq);
    });

    it('drops a reader that falls 8 MiB behind before the ending; resumed from its last id, it misses nothing', async () => {
      const runId = await insertRun(store, await insertAgent(store, 'sse-behind'));
      // Opened, then not read while 12 MiB of output commits.
      const behind = await executionEventStream(source, runId, 0);
      const output = writer.open(runId, 0);
      const text = 'x'.repeat(4_096);
      for (let mib = 0; mib < 12; mib++) {
        for (let line = 0; line < 256; line++)
          output.addLog({ level: 'info', text: `${mib}.${line} ${text}` });
        output.flush();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await endRun(runId);

      const dropped = await readStream(behind);
      expect(dropped.closedByServer).toBe(true);
      const lastRead = dropped.events.at(-1);
      expect(lastRead).toMatchObject({ event: 'log' });
      const lastId = lastRead?.id ?? 0;
      expect(lastId).toBeLessThan(output.lastSeq);
      const resumed = await readStream(await executionEventStream(source, runId, lastId));
      await expectStreamedToTheEnd(
        { events: [...dropped.events, ...resumed.events], closedByServer: resumed.closedByServer },
        store,
        runId,
        0,
        3_000,
      );
    });

    it('refuses a run that does not exist as not found, before any stream', async () => {
      await expectUnknownRunRefused(source);
    });
  });

  it('reports a run that does not exist, and stops following it', async () => {
    const follower = collect(feed, 999_999, 0);
    await follower.until(() => follower.errors.length > 0);
    expect(follower.errors).toEqual([
      expect.objectContaining({ kind: 'not_found', message: 'Execution not found' }),
    ]);
  });
});
