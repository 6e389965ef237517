import { afterAll, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { execute } from '../../src/lib/db/plan';
import { getExecutionLive, listRecentAndActive } from '../../src/lib/db/queries/executions';
import { Broadcaster, HARD_LIMIT_BYTES, HIGH_WATER_BYTES } from '../../src/lib/websocket/broadcaster';
import { type ServerFrame, serverFrameSchema } from '../../src/lib/websocket/protocol';
import { inProcessLive } from '../helpers/inProcessLive';
import { streamLines } from '../helpers/liveStream';
import { insertAgent, insertRun } from '../helpers/stores';

// The WebSocket fan-out of runs' output over the run feed, on one box: what a tab subscribed to a
// run is sent, and what a tab that stops reading is sent (docs/architecture.md#slow-clients).

/** A socket as the broadcaster sees it, whose unsent buffer a test sets. */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  closedWith: number | null = null;
  /** Every frame as sent (a Buffer when it was serialized once for many sockets). */
  readonly sent: (string | Buffer)[] = [];

  send(data: string | Buffer): void {
    this.sent.push(data);
  }

  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  get frames(): ServerFrame[] {
    return this.sent.map((data) => serverFrameSchema.parse(JSON.parse(data.toString())));
  }

  /** The sequence numbers of the steps and lines sent for the run, in the order sent. */
  itemSeqs(executionId: number): number[] {
    return this.frames.flatMap((frame) =>
      frame.type === 'execution.events' && frame.executionId === executionId
        ? [...frame.steps, ...frame.logs].map((item) => item.seq).sort((a, b) => a - b)
        : [],
    );
  }
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the broadcaster over the run feed (sqlite, the event bus)', () => {
  const { store, writer, feed, listenerErrors, close } = inProcessLive();
  const broadcaster = new Broadcaster(store, feed, (id) => execute(store, getExecutionLive(store, id)));
  afterAll(() => {
    broadcaster.close();
    close();
  });

  /** A socket subscribed to the run from `afterSeq`. */
  async function subscriber(runId: number, afterSeq: number) {
    const socket = new FakeSocket();
    const session = broadcaster.add(socket as unknown as WebSocket);
    expect(await broadcaster.subscribeExecution(session, runId, afterSeq)).toBe(true);
    return { socket, session };
  }

  /** A queued run of a new agent, its view, and a tab that has subscribed to nothing yet. */
  async function queuedRunAndTab(agentName: string) {
    const runId = await insertRun(store, await insertAgent(store, agentName), { status: 'queued' });
    const queued = await execute(store, getExecutionLive(store, runId));
    if (!queued) throw new Error('no run');
    const socket = new FakeSocket();
    const session = broadcaster.add(socket as unknown as WebSocket);
    return { runId, queued, socket, session };
  }

  it('sends what a tab missed, then the live lines, each once and in order, then the run and its resource use', async () => {
    const runId = await insertRun(store, await insertAgent(store, 'ws'));
    const output = writer.open(runId, 0);
    await streamLines(output, 2_500, 'before');
    const { socket } = await subscriber(runId, 0);
    await streamLines(output, 1_000, 'live');
    await vi.waitFor(() => expect(socket.itemSeqs(runId)).toEqual(oneToN(output.lastSeq)));
    const kinds = socket.frames.map((frame) => frame.type);
    expect(kinds[0]).toBe('subscribed');
    expect(kinds).toContain('execution.updated');
    expect(kinds).toContain('execution.resources');
    expect(listenerErrors).toEqual([]);
  });

  it('serializes a committed batch once for every tab that follows the run', async () => {
    const runId = await insertRun(store, await insertAgent(store, 'ws-many'));
    const output = writer.open(runId, 0);
    const tabs = [await subscriber(runId, 0), await subscriber(runId, 0)];
    await vi.waitFor(() => expect(tabs.every(({ socket }) => socket.frames.length >= 3)).toBe(true));
    const before = tabs.map(({ socket }) => socket.sent.length);
    await streamLines(output, 300, 'live');
    const [first, second] = tabs.map(({ socket }, i) => socket.sent.slice(before[i]));
    expect(first?.length).toBeGreaterThan(1);
    expect(second).toHaveLength(first?.length ?? 0);
    // The same Buffer, not an equal one: serialized once.
    expect(second?.every((frame, i) => frame === first?.[i])).toBe(true);
  });

  it('stops sending to a backed-up tab, catches it up from the store once it drains, and closes it (4008) past the hard limit', async () => {
    const runId = await insertRun(store, await insertAgent(store, 'ws-slow'));
    const output = writer.open(runId, 0);
    const { socket } = await subscriber(runId, 0);
    await streamLines(output, 200, 'read');
    await vi.waitFor(() => expect(socket.itemSeqs(runId)).toEqual(oneToN(output.lastSeq)));

    socket.bufferedAmount = HIGH_WATER_BYTES + 1;
    const sentBefore = socket.itemSeqs(runId).length;
    await streamLines(output, 500, 'unread');
    expect(socket.itemSeqs(runId)).toHaveLength(sentBefore);

    socket.bufferedAmount = 0;
    await vi.waitFor(() => expect(socket.itemSeqs(runId)).toEqual(oneToN(output.lastSeq)));

    socket.bufferedAmount = HARD_LIMIT_BYTES + 1;
    await streamLines(output, 10, 'too slow');
    expect(socket.closedWith).toBe(4008);
  });

  it('sends nothing more for a run the tab unsubscribed from', async () => {
    const runId = await insertRun(store, await insertAgent(store, 'ws-leave'));
    const output = writer.open(runId, 0);
    const { socket, session } = await subscriber(runId, 0);
    await streamLines(output, 100, 'seen');
    await vi.waitFor(() => expect(socket.itemSeqs(runId)).toEqual(oneToN(output.lastSeq)));
    const seen = socket.itemSeqs(runId);
    broadcaster.unsubscribeExecution(session, runId);
    await streamLines(output, 100, 'unseen');
    expect(socket.itemSeqs(runId)).toEqual(seen);
  });

  it('a run list gets its state as read, then the changes made while it was read, in order', async () => {
    const { runId, queued, socket, session } = await queuedRunAndTab('ws-list');
    await broadcaster.subscribeList(session, 'executions', async () => {
      const items = await execute(store, listRecentAndActive(store, 10));
      // The run starts after the list was read, before it is sent.
      broadcaster.onEvent({ type: 'run.started', execution: { ...queued, status: 'running' } });
      return [{ type: 'subscribed', topic: 'executions', items }];
    });
    const frames = socket.frames;
    expect(frames.map((frame) => frame.type)).toEqual(['subscribed', 'execution.updated']);
    const [first, last] = frames;
    expect(first?.type === 'subscribed' && first.topic === 'executions' && first.items[0]).toMatchObject({
      id: runId,
      status: 'queued',
    });
    expect(last?.type === 'execution.updated' && last.execution.status).toBe('running');
    broadcaster.onEvent({ type: 'run.ended', execution: { ...queued, status: 'completed' } });
    expect(socket.frames.at(-1)).toMatchObject({
      type: 'execution.updated',
      execution: { status: 'completed' },
    });
  });

  it('a list whose first state cannot be read is not subscribed: no live frame reaches the tab', async () => {
    const { queued, socket, session } = await queuedRunAndTab('ws-unread');
    await expect(
      broadcaster.subscribeList(session, 'executions', () => Promise.reject(new Error('disk gone'))),
    ).rejects.toThrow('disk gone');
    broadcaster.onEvent({ type: 'run.started', execution: { ...queued, status: 'running' } });
    expect(socket.sent).toEqual([]);
  });
});
