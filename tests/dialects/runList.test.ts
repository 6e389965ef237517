import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { ListExecutionsInput } from '../../src/lib/contracts/executions';
import { listExecutions } from '../../src/lib/db/queries/runList';
import { postgresPlansOf } from '../helpers/queryPlans';
import { describeOnEachDialect, describeOnPostgres, insertAgent } from '../helpers/stores';

const NOW = Date.UTC(2026, 11, 4, 12);
const HOUR = 3_600_000;

const query = (input: Partial<ListExecutionsInput>): ListExecutionsInput => ({ limit: 25, ...input });

describeOnEachDialect('listExecutions', (store) => {
  let alpha: number;
  let beta: number;

  /** 30 runs, alternating agents; run i is i hours old, costs (i % 7) cents and lasted (i % 5) s (none for i % 10 = 0). */
  beforeAll(async () => {
    const { db, t } = store();
    alpha = await insertAgent(store(), 'alpha');
    beta = await insertAgent(store(), 'beta');
    for (let i = 30; i >= 1; i--) {
      await db.insert(t.executions).values({
        agentId: i % 2 === 0 ? alpha : beta,
        trigger: i % 3 === 0 ? 'api' : 'manual',
        status: i % 4 === 0 ? 'failed' : 'completed',
        prompt: i === 7 ? 'Rotate the nginx logs on web-1' : `Check disk space, run ${i}`,
        model: 'claude-sonnet-4-5',
        createdAt: NOW - i * HOUR,
        costMicros: (i % 7) * 10_000,
        durationMs: i % 10 === 0 ? null : (i % 5) * 1000,
      });
    }
  });

  const list = (input: Partial<ListExecutionsInput>) => listExecutions(store(), query(input), NOW);
  const idsOf = async (input: Partial<ListExecutionsInput>) =>
    (await list(input)).items.map((item) => item.id);

  /** Every page of a query, following its cursors. */
  async function allPages(input: Partial<ListExecutionsInput>) {
    const ids: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await list({ ...input, cursor });
      ids.push(...page.items.map((item) => item.id));
      if (page.nextCursor === null) return ids;
      cursor = page.nextCursor;
    }
    throw new Error('cursor never ended');
  }

  it('pages newest first with a cursor, every run once, the old `before` form still agreeing', async () => {
    const first = await list({ limit: 7 });
    expect(first.items.map((item) => item.id)).toEqual([30, 29, 28, 27, 26, 25, 24]);
    expect(first.nextBefore).toBe(24);
    const ids = await allPages({ limit: 7 });
    expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    const viaBefore = await list({ limit: 7, before: 24 });
    const viaCursor = await list({ limit: 7, cursor: first.nextCursor ?? '' });
    expect(viaBefore.items).toEqual(viaCursor.items);
  });

  it('reads list rows whole: agent name, cost in dollars, no result text', async () => {
    const [newest] = (await list({ limit: 1 })).items;
    // Run 30 (i = 1): beta's, 1 cent, 1 s, manual, completed.
    expect(newest).toMatchObject({
      id: 30,
      agentId: beta,
      agentName: 'beta',
      costUsd: 0.01,
      durationMs: 1000,
      trigger: 'manual',
      status: 'completed',
      triggerName: null,
      createdAt: NOW - HOUR,
      warnings: [],
    });
  });

  it.each([
    ['cost', 'desc'],
    ['cost', 'asc'],
    ['duration', 'desc'],
    ['duration', 'asc'],
    ['created', 'asc'],
  ] as const)(
    'pages by %s %s through ties in the sort key, in order, every run once',
    async (sort, order) => {
      const ids = await allPages({ sort, order, limit: 4 });
      const { db, t } = store();
      const rows = await db.select().from(t.executions);
      const keyOf = (id: number) => {
        const row = rows.find((r) => r.id === id);
        if (!row) throw new Error(`no run ${id}`);
        return sort === 'cost' ? row.costMicros : sort === 'duration' ? (row.durationMs ?? -1) : row.id;
      };
      const expected = [...rows]
        .map((row) => row.id)
        .sort((a, b) => (keyOf(a) - keyOf(b) || a - b) * (order === 'desc' ? -1 : 1));
      expect(ids).toEqual(expected);
    },
  );

  it('filters by agent, status, trigger and time range together', async () => {
    const { items } = await list({ agentId: alpha, status: 'failed', trigger: 'api', range: '24h' });
    // Run i (hours old) has id 31 - i. Even (alpha), a multiple of 4 (failed) and of 3 (api), at most 24 hours old: 12 and 24.
    expect(items.map((item) => item.id)).toEqual([31 - 12, 31 - 24]);
    expect(items.every((item) => item.agentName === 'alpha')).toBe(true);
    const between = await list({ from: NOW - 5 * HOUR, to: NOW - 2 * HOUR });
    expect(between.items.map((item) => (NOW - item.createdAt) / HOUR)).toEqual([3, 4, 5]);
    expect((await list({ agentId: beta, limit: 100 })).items).toHaveLength(15);
  });

  it('searches prompts and results by whole words, and follows later edits of the result', async () => {
    expect(await idsOf({ q: 'nginx' })).toEqual([31 - 7]);
    expect(await idsOf({ q: 'rotate WEB' })).toHaveLength(1);
    expect(await idsOf({ q: 'rot' })).toHaveLength(0);
    // Sorted by cost, the matches are read into that order.
    expect(await idsOf({ q: 'nginx', sort: 'cost' })).toHaveLength(1);
    expect(await idsOf({ q: 'rotate disk' })).toHaveLength(0);
    // Paged newest first through the search, every match once.
    const disk = await allPages({ q: 'disk', limit: 4 });
    expect(disk).toHaveLength(29);
    expect(disk).toEqual([...disk].sort((x, y) => y - x));
    expect(await allPages({ q: 'disk', limit: 4, order: 'asc' })).toEqual([...disk].reverse());
    const { db, t } = store();
    await db
      .update(t.executions)
      .set({ resultText: 'Freed 3 GiB in /var/cache' })
      .where(eq(t.executions.id, 3));
    expect(await idsOf({ q: 'freed cache' })).toEqual([3]);
    await db.delete(t.executions).where(eq(t.executions.id, 3));
    expect(await idsOf({ q: 'freed' })).toHaveLength(0);
  });

  it('splits words at punctuation, as FTS5 does: a word with some in it is those words in a row', async () => {
    expect(await idsOf({ q: 'web-1' })).toEqual([31 - 7]);
    expect(await idsOf({ q: 'web' })).toEqual([31 - 7]);
    expect(await idsOf({ q: '1-web' })).toEqual([]);
    expect(await idsOf({ q: 'space,', limit: 100 })).toHaveLength(28);
    // A word that is punctuation alone is no word: it neither matches nor narrows.
    expect(await idsOf({ q: '--' })).toEqual([]);
    expect(await idsOf({ q: '-- nginx' })).toEqual([31 - 7]);
  });

  // Run 24 is 'Rotate the nginx logs on web-1'; run 30 'Check disk space, run 1'.
  it.each([
    ['"nginx OR', []],
    ['nginx OR disk', []],
    ['NEAR(nginx disk)', []],
    ['prompt:nginx', []],
    ['nginx*', [24]],
    ["nginx' or 1=1 --", []],
    ['nginx:* & !disk | (rotate <-> logs)', []],
    ['nginx:* & (rotate <-> logs)', [24]],
    ['nginx\\', [24]],
    ['nginx\u0000disk', []],
    ['nginx\u0000rotate', [24]],
    ['% _ ; `', []],
    ['$1 ?', [30, 24]],
    ['🚀', []],
  ])('reads %j as plain words, never as syntax nor an error', async (q, ids) => {
    const page = await list({ q });
    expect(page.items.map((item) => item.id)).toEqual(ids);
    expect(page).not.toHaveProperty('unindexedRuns');
  });

  it('reads the words of a search with operators in it as words to find', async () => {
    const { db, t } = store();
    const [run] = await db
      .insert(t.executions)
      .values({
        agentId: alpha,
        trigger: 'manual',
        status: 'completed',
        prompt: 'Explain why nginx OR haproxy: near (the) logs',
        model: 'claude-sonnet-4-5',
        createdAt: NOW,
      })
      .returning({ id: t.executions.id });
    const id = run?.id;
    expect(await idsOf({ q: '"nginx OR' })).toEqual([id]);
    expect(await idsOf({ q: 'NEAR(the) haproxy:' })).toEqual([id]);
    expect(await idsOf({ q: 'nginx & !haproxy' })).toEqual([id]);
    await db.delete(t.executions).where(eq(t.executions.id, id ?? 0));
  });
});

describeOnPostgres('the Runs search', (store) => {
  it('reads the GIN index executions_fts for a search (SQLite: tests/unit/queryPlans.test.ts)', async () => {
    const { db, t } = store();
    const agentId = await insertAgent(store());
    // Enough runs that reading them all costs more than the index, one in 500 worth finding.
    const runs = Array.from({ length: 5_000 }, (_, i) => ({
      agentId,
      trigger: 'manual' as const,
      status: i % 3 === 0 ? ('failed' as const) : ('completed' as const),
      prompt: i % 500 === 0 ? `Rotate the nginx logs on web-${i}` : `Check disk space, run ${i}`,
      model: 'claude-sonnet-4-5',
      createdAt: NOW - i * HOUR,
    }));
    for (let at = 0; at < runs.length; at += 1_000) {
      await db.insert(t.executions).values(runs.slice(at, at + 1_000));
    }
    const search = { limit: 25, q: 'nginx rotate', status: 'failed' } as const;
    const statements = await postgresPlansOf(store(), () => listExecutions(store(), search));
    expect(statements.map((statement) => statement.plan).join('\n')).toContain('executions_fts');
    expect((await listExecutions(store(), search)).items).toHaveLength(4);
  });
});
