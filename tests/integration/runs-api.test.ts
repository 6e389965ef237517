import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionPage } from '../../src/lib/contracts/executions';
import { BEARER } from '../helpers/appServer';
import { seedLongLogRun, seedRuns } from '../helpers/runsSeed';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });
const HOUR = 3_600_000;
let agentId: number;
let otherAgentId: number;
let ids: number[];

beforeAll(async () => {
  agentId = (await stack.api.createAgent({ name: 'Sweeper', defaultPrompt: 'p' })).id;
  otherAgentId = (await stack.api.createAgent({ name: 'Backup', defaultPrompt: 'p' })).id;
  const now = Date.now();
  // 60 runs, one an hour; every fifth failed; every third from the API; run 17 mentions nginx.
  ids = seedRuns(
    stack.app.databasePath,
    Array.from({ length: 60 }, (_, i) => ({
      agentId: i % 2 === 0 ? agentId : otherAgentId,
      prompt: i === 17 ? 'Rotate the nginx logs' : `Sweep run ${i}`,
      resultText: i === 40 ? 'Freed 3 GiB of journal files' : 'Nothing to do',
      status: i % 5 === 0 ? 'failed' : 'completed',
      trigger: i % 3 === 0 ? 'api' : 'manual',
      createdAt: now - (60 - i) * HOUR,
      costMicros: (i % 4) * 1_000,
    })),
  );
});

async function page(query: string): Promise<ExecutionPage> {
  const { status, body } = await stack.api.call('GET', `/api/executions?${query}`);
  expect(status, query).toBe(200);
  return body as unknown as ExecutionPage;
}

describe('GET /api/executions', () => {
  it('pages through every run with nextCursor, newest first, each once', async () => {
    const seen: number[] = [];
    let cursor = '';
    for (;;) {
      const { items, nextCursor } = await page(`limit=25${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...items.map((item) => item.id));
      if (nextCursor === null) break;
      cursor = encodeURIComponent(nextCursor);
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by agent, status, trigger and range, and finds words in prompts and results', async () => {
    const failedApi = await page(`agentId=${agentId}&status=failed&trigger=api&limit=100`);
    // Even (the first agent), a multiple of 5 (failed) and of 3 (api): 0 and 30.
    expect(failedApi.items.map((item) => item.id)).toEqual([ids[30], ids[0]]);
    expect(failedApi.items[0]?.agentName).toBe('Sweeper');
    // Seeded 1 to 60 hours before the seeding; the one exactly 24 hours old is older than that by now.
    expect((await page('range=24h&limit=100')).items).toHaveLength(23);
    expect((await page('q=nginx')).items.map((item) => item.id)).toEqual([ids[17]]);
    expect((await page('q=journal%20freed')).items.map((item) => item.id)).toEqual([ids[40]]);
  });

  it('sorts by cost with a cursor that carries the sort', async () => {
    const first = await page('sort=cost&order=desc&limit=10');
    expect(first.items.every((item) => item.costUsd === 0.003)).toBe(true);
    expect(first.nextCursor).toMatch(/^cost:3000:\d+$/);
    expect(first.nextBefore).toBeNull();
    const wrongSort = await stack.api.call('GET', `/api/executions?sort=duration&cursor=${first.nextCursor}`);
    expect(wrongSort.status).toBe(400);
  });

  it.each([
    ['status=done', 'status'],
    ['sort=tokens', 'sort'],
    ['cursor=abc', 'cursor'],
    ['range=2d', 'range'],
    ['limit=0', 'limit'],
    ['from=20&to=10', 'to'],
    ['color=red', '(root)'],
  ])('answers %s with a 400 naming the field, as JSON', async (query, field) => {
    const { status, body } = await stack.api.call('GET', `/api/executions?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'invalid_request', issues: [{ path: field }] } });
  });
});

describe('GET /api/executions/:id/logs?format=text', () => {
  it('downloads the whole log as a named text file, every line once in order', async () => {
    const id = seedLongLogRun(
      stack.app.databasePath,
      { agentId, prompt: 'A chatty run', createdAt: Date.now() },
      12_345,
    );
    const response = await fetch(`${stack.app.url}/api/executions/${id}/logs?format=text`, {
      headers: BEARER,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="claudeops-run-${id}.log"`,
    );
    const lines = (await response.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(12_345);
    expect(lines.every((line, i) => line.startsWith(`line ${i + 1} `))).toBe(true);
  });

  it('refuses an unknown format and an unknown run', async () => {
    expect((await stack.api.call('GET', `/api/executions/${ids[0]}/logs?format=pdf`)).status).toBe(400);
    expect((await stack.api.call('GET', '/api/executions/999999/logs?format=text')).status).toBe(404);
  });
});
