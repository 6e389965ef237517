import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/lib/websocket/protocol';
import { setUpTestStack } from '../helpers/stack';
import { committedSeqs } from '../helpers/storedOutput';
import { connectRecording, deliveredSeqs } from '../helpers/wsClient';

const stack = setUpTestStack({ beforeAll, afterAll });

const isEnded =
  (executionId: number) =>
  (frame: ServerFrame): frame is Extract<ServerFrame, { type: 'execution.updated' }> =>
    frame.type === 'execution.updated' &&
    frame.executionId === executionId &&
    frame.execution.status === 'completed';

describe('live execution stream over /ws', () => {
  it('streams a run live, and a late subscriber with afterSeq gets the rest with no gap and no duplicate', async () => {
    const key = '[script:ws-live]';
    const bash = (command: string) => ({ type: 'tool_use' as const, name: 'Bash', input: { command } });
    stack.model.script(key, [
      { content: [bash('seq 1 200')] },
      { content: [bash('seq 201 400')], delayMs: 1_500 },
      { content: [{ type: 'text', text: 'counted to 400' }], delayMs: 1_500 },
    ]);
    const agent = await stack.api.createAgent({ defaultPrompt: `Count ${key}`, allowedTools: ['Bash'] });
    const early = await connectRecording(stack.app.url);
    const id = await stack.api.startExecution(agent.id);
    early.send({ type: 'subscribe', topic: 'execution', executionId: id, afterSeq: 0 });

    // Join once the first tool's output is committed, claiming to have seen only part of it.
    await early.waitFor(
      (f): f is Extract<ServerFrame, { type: 'execution.events' }> =>
        f.type === 'execution.events' && f.logs.some((l) => l.text === '200'),
    );
    const missedFrom = 5;
    const late = await connectRecording(stack.app.url);
    late.send({ type: 'subscribe', topic: 'execution', executionId: id, afterSeq: missedFrom });
    const lateSubscribed = await late.waitFor(
      (f): f is Extract<ServerFrame, { type: 'subscribed' }> => f.type === 'subscribed',
    );
    expect(lateSubscribed).toMatchObject({ topic: 'execution', executionId: id });
    expect((await stack.api.getExecution(id)).status).toBe('running');

    await early.waitFor(isEnded(id));
    await late.waitFor(isEnded(id));

    expect(deliveredSeqs(early.frames, id)).toEqual(committedSeqs(stack.app.databasePath, id, 0));
    expect(deliveredSeqs(late.frames, id)).toEqual(committedSeqs(stack.app.databasePath, id, missedFrom));
    const lines = early.frames.flatMap((f) =>
      f.type === 'execution.events' ? f.logs.map((l) => l.text) : [],
    );
    expect(lines.filter((l) => /^\d+$/.test(l)).map(Number)).toEqual(
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    // Frames carry batches, not one line each.
    expect(early.frames.filter((f) => f.type === 'execution.events').length).toBeLessThan(50);
    await Promise.all([early.close(), late.close()]);
  });

  it('sends every status change of every run to list subscribers', async () => {
    const key = '[script:ws-list]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'fine' }] }]);
    const agent = await stack.api.createAgent({ defaultPrompt: `Report ${key}` });
    const client = await connectRecording(stack.app.url);
    client.send({ type: 'subscribe', topic: 'executions' });
    await client.waitFor((f): f is Extract<ServerFrame, { type: 'subscribed' }> => f.type === 'subscribed');
    const id = await stack.api.startExecution(agent.id);
    await client.waitFor(isEnded(id));
    const statuses = client.frames.flatMap((f) =>
      f.type === 'execution.updated' && f.executionId === id ? [f.execution.status] : [],
    );
    expect(statuses[0]).toBe('queued');
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('completed');
    await client.close();
  });

  it('answers bad frames with error frames and keeps serving', async () => {
    const client = await connectRecording(stack.app.url);
    const cases: [unknown, string][] = [
      ['not json', 'bad_frame'],
      [{ type: 'subscribe', topic: 'nope' }, 'bad_frame'],
      [{ type: 'subscribe', topic: 'execution', executionId: -1 }, 'bad_frame'],
      [{ type: 'subscribe', topic: 'execution', executionId: 1, extra: true }, 'bad_frame'],
      [{ type: 'subscribe', topic: 'execution', executionId: 999_999 }, 'not_found'],
      [[1, 2, 3], 'bad_frame'],
    ];
    for (const [frame, code] of cases) {
      const before = client.frames.length;
      client.send(frame);
      const error = await client.waitFor(
        (f): f is Extract<ServerFrame, { type: 'error' }> =>
          f.type === 'error' && client.frames.indexOf(f) >= before,
      );
      expect(error.code).toBe(code);
    }
    client.send({ type: 'ping', id: 7 });
    await client.waitFor((f): f is Extract<ServerFrame, { type: 'pong' }> => f.type === 'pong' && f.id === 7);

    // A frame over the size limit closes that socket (1009), never the server.
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    client.send('x'.repeat(64 * 1024));
    expect(await closed).toBe(1009);
    const again = await connectRecording(stack.app.url);
    again.send({ type: 'ping', id: 8 });
    await again.waitFor((f): f is Extract<ServerFrame, { type: 'pong' }> => f.type === 'pong');
    await again.close();
  });
});
