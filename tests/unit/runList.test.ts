import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeRunCursor,
  encodeRunCursor,
  type ListExecutionsInput,
  listExecutionsQuerySchema,
} from '../../src/lib/contracts/executions';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import { listExecutions, toFtsQuery } from '../../src/lib/db/queries/runList';
import { executions } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { createTestDb } from '../helpers/testDb';

const NOW = Date.UTC(2026, 11, 4, 12);
const HOUR = 3_600_000;

let handle: DbHandle;
let alpha: number;
let beta: number;

/** 30 runs, alternating agents; run i is i hours old, costs (i % 7) cents and lasted (i % 5) s (none for i % 10 = 0). */
beforeAll(() => {
  handle = createTestDb();
  const agent = (name: string) =>
    runOnSqlite(createAgent(sqliteStore(handle.db), { name, model: 'claude-sonnet-4-5', defaultPrompt: 'p' }))
      .id;
  alpha = agent('alpha');
  beta = agent('beta');
  for (let i = 30; i >= 1; i--) {
    handle.db
      .insert(executions)
      .values({
        agentId: i % 2 === 0 ? alpha : beta,
        trigger: i % 3 === 0 ? 'api' : 'manual',
        status: i % 4 === 0 ? 'failed' : 'completed',
        prompt: i === 7 ? 'Rotate the nginx logs on web-1' : `Check disk space, run ${i}`,
        model: 'claude-sonnet-4-5',
        createdAt: NOW - i * HOUR,
        costMicros: (i % 7) * 10_000,
        durationMs: i % 10 === 0 ? null : (i % 5) * 1000,
      })
      .run();
  }
});
afterAll(() => handle.sqlite.close());

const query = (input: Partial<ListExecutionsInput>): ListExecutionsInput => ({ limit: 25, ...input });

/** Every page of a query, following its cursors. */
function allPages(input: Partial<ListExecutionsInput>) {
  const ids: number[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = listExecutions(handle.db, query({ ...input, cursor }), NOW);
    ids.push(...page.items.map((item) => item.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('cursor never ended');
}

describe('listExecutions', () => {
  it('pages newest first with a cursor, every run once, the old `before` form still agreeing', () => {
    const first = listExecutions(handle.db, query({ limit: 7 }), NOW);
    expect(first.items.map((item) => item.id)).toEqual([30, 29, 28, 27, 26, 25, 24]);
    expect(first.nextBefore).toBe(24);
    const ids = allPages({ limit: 7 });
    expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    const viaBefore = listExecutions(handle.db, query({ limit: 7, before: 24 }), NOW);
    const viaCursor = listExecutions(handle.db, query({ limit: 7, cursor: first.nextCursor ?? '' }), NOW);
    expect(viaBefore.items).toEqual(viaCursor.items);
  });

  it.each([
    ['cost', 'desc'],
    ['cost', 'asc'],
    ['duration', 'desc'],
    ['duration', 'asc'],
    ['created', 'asc'],
  ] as const)('pages by %s %s through ties in the sort key, in order, every run once', (sort, order) => {
    const ids = allPages({ sort, order, limit: 4 });
    const rows = handle.db.select().from(executions).all();
    const keyOf = (id: number) => {
      const row = rows.find((r) => r.id === id);
      if (!row) throw new Error(`no run ${id}`);
      return sort === 'cost' ? row.costMicros : sort === 'duration' ? (row.durationMs ?? -1) : row.id;
    };
    const expected = [...rows]
      .map((row) => row.id)
      .sort((a, b) => (keyOf(a) - keyOf(b) || a - b) * (order === 'desc' ? -1 : 1));
    expect(ids).toEqual(expected);
  });

  it('filters by agent, status, trigger and time range together', () => {
    const { items } = listExecutions(
      handle.db,
      query({ agentId: alpha, status: 'failed', trigger: 'api', range: '24h' }),
      NOW,
    );
    // Run i (hours old) has id 31 - i. Even (alpha), a multiple of 4 (failed) and of 3 (api), at most 24 hours old: 12 and 24.
    expect(items.map((item) => item.id)).toEqual([31 - 12, 31 - 24]);
    expect(items.every((item) => item.agentName === 'alpha')).toBe(true);
    const between = listExecutions(handle.db, query({ from: NOW - 5 * HOUR, to: NOW - 2 * HOUR }), NOW);
    expect(between.items.map((item) => (NOW - item.createdAt) / HOUR)).toEqual([3, 4, 5]);
    expect(listExecutions(handle.db, query({ agentId: beta, limit: 100 }), NOW).items).toHaveLength(15);
  });

  it('searches prompts and results by whole words, and follows later edits of the result', () => {
    const nginx = listExecutions(handle.db, query({ q: 'nginx' }), NOW).items;
    expect(nginx.map((item) => item.id)).toEqual([31 - 7]);
    expect(listExecutions(handle.db, query({ q: 'rotate WEB' }), NOW).items).toHaveLength(1);
    expect(listExecutions(handle.db, query({ q: 'rot' }), NOW).items).toHaveLength(0);
    // Sorted by cost, the matches are read into that order.
    expect(listExecutions(handle.db, query({ q: 'nginx', sort: 'cost' }), NOW).items).toHaveLength(1);
    expect(listExecutions(handle.db, query({ q: 'rotate disk' }), NOW).items).toHaveLength(0);
    // Paged newest first through the search index itself, every match once.
    const disk = allPages({ q: 'disk', limit: 4 });
    expect(disk).toHaveLength(29);
    expect(disk).toEqual([...disk].sort((x, y) => y - x));
    expect(allPages({ q: 'disk', limit: 4, order: 'asc' })).toEqual([...disk].reverse());
    // Quotes and FTS5 operators are words, not syntax.
    expect(listExecutions(handle.db, query({ q: '"nginx OR' }), NOW).items).toHaveLength(0);
    handle.db
      .update(executions)
      .set({ resultText: 'Freed 3 GiB in /var/cache' })
      .where(eq(executions.id, 3))
      .run();
    expect(listExecutions(handle.db, query({ q: 'freed cache' }), NOW).items.map((item) => item.id)).toEqual([
      3,
    ]);
    handle.db.delete(executions).where(eq(executions.id, 3)).run();
    expect(listExecutions(handle.db, query({ q: 'freed' }), NOW).items).toHaveLength(0);
  });
});

describe('run cursors and the list query', () => {
  it('round-trips a cursor and refuses anything else', () => {
    const cursor = { sort: 'duration', key: -1, id: 42 } as const;
    expect(decodeRunCursor(encodeRunCursor(cursor))).toEqual(cursor);
    for (const bad of ['', '42', 'cost:1', 'size:1:2', 'cost:x:2', 'cost:1:2:3']) {
      expect(decodeRunCursor(bad)).toBeUndefined();
    }
  });

  it('turns search words into quoted FTS5 words', () => {
    expect(toFtsQuery('  disk  "space ')).toBe('"disk" "space"');
    expect(toFtsQuery(' " ')).toBeUndefined();
  });

  it.each([
    [{ status: 'done' }, 'status'],
    [{ sort: 'tokens' }, 'sort'],
    [{ cursor: 'nonsense' }, 'cursor'],
    [{ sort: 'cost', cursor: 'created:5:5' }, 'cursor'],
    [{ range: '2d' }, 'range'],
    [{ from: '20', to: '10' }, 'to'],
    [{ limit: '500' }, 'limit'],
  ])('refuses %o, naming %s', (input, field) => {
    const parsed = listExecutionsQuerySchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('reads an empty search box as no search', () => {
    expect(listExecutionsQuerySchema.parse({ q: '' }).q).toBeUndefined();
  });
});
