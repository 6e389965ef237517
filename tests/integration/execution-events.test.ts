import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEARER } from '../helpers/appServer';
import { readEvents, type ServerSentEvent } from '../helpers/sseClient';
import { setUpTestStack } from '../helpers/stack';
import { committedSeqs } from '../helpers/storedOutput';

const stack = setUpTestStack({ beforeAll, afterAll });

const itemSeqs = (events: ServerSentEvent[]) =>
  events.filter((e) => e.event === 'step' || e.event === 'log').map((e) => e.id);
const eventsUrl = (id: number, query = '') => `${stack.app.url}/api/executions/${id}/events${query}`;

describe('GET /api/executions/[id]/events (Server-Sent Events)', () => {
  it('streams a live run, resumes from Last-Event-ID with no gap and no duplicate, and closes when it ends', async () => {
    const key = '[script:sse-live]';
    const bash = (command: string) => ({ type: 'tool_use' as const, name: 'Bash', input: { command } });
    stack.model.script(key, [
      { content: [bash('seq 1 300')] },
      { content: [bash('seq 301 600')], delayMs: 1_000 },
      { content: [{ type: 'text', text: 'counted to 600' }], delayMs: 500 },
    ]);
    const agent = await stack.api.createAgent({ defaultPrompt: `Count ${key}`, allowedTools: ['Bash'] });
    const id = await stack.api.startExecution(agent.id);

    // A script reads until the first tool's output, then drops the connection.
    const first = await readEvents(eventsUrl(id), BEARER, (events) =>
      events.some((e) => e.event === 'log' && (e.data as { text: string }).text === '300'),
    );
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/event-stream');
    expect(first.closedByServer).toBe(false);
    const lastId = itemSeqs(first.events).at(-1) ?? 0;

    const rest = await readEvents(eventsUrl(id), { ...BEARER, 'last-event-id': String(lastId) });
    expect(rest.closedByServer).toBe(true);
    const final = rest.events.at(-1);
    expect(final?.event).toBe('status');
    expect(final?.data).toMatchObject({ id, status: 'completed', resultText: 'counted to 600' });

    const seen = [...itemSeqs(first.events), ...itemSeqs(rest.events)];
    expect(seen).toEqual(committedSeqs(stack.app.databasePath, id));
    const lines = [...first.events, ...rest.events].flatMap((e) =>
      e.event === 'log' && /^\d+$/.test((e.data as { text: string }).text)
        ? [Number((e.data as { text: string }).text)]
        : [],
    );
    expect(lines).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  });

  it('replays an ended run from ?afterSeq= and closes', async () => {
    const key = '[script:sse-ended]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'done at once' }] }]);
    const agent = await stack.api.createAgent({ defaultPrompt: `Answer ${key}` });
    const id = await stack.api.startExecution(agent.id);
    await stack.api.waitForEnd(id);
    const all = committedSeqs(stack.app.databasePath, id);
    const reading = await readEvents(eventsUrl(id, '?afterSeq=1'), BEARER);
    expect(reading.closedByServer).toBe(true);
    expect(itemSeqs(reading.events)).toEqual(all.filter((seq) => seq > 1));
    expect(reading.events.at(-1)).toMatchObject({ event: 'status', data: { status: 'completed' } });
  });

  it('refuses a bad Last-Event-ID, an unknown run and a missing token', async () => {
    const bad = await fetch(eventsUrl(1), { headers: { ...BEARER, 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'invalid_request', issues: [{ path: 'Last-Event-ID' }] },
    });
    expect((await fetch(eventsUrl(99_999), { headers: BEARER })).status).toBe(404);
    expect((await fetch(eventsUrl(1))).status).toBe(401);
  });
});
