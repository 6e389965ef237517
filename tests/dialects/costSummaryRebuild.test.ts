import { and, count, eq, sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { type Plan, rowsOf, transaction } from '../../src/lib/db/plan';
import { rebuildCostSummaries } from '../../src/lib/db/queries/costSummaryRebuild';
import type { Store } from '../../src/lib/db/store';
import { insertCostedRun, NOVEMBER_RUNS } from '../helpers/costs';
import { describeOnEachDialect, describeOnPostgres, emptyTables, insertAgent } from '../helpers/stores';

// `npm run costs:rebuild` on both dialects: the summaries recomputed from the cost rows by the UTC
// month and day of each run, every wrong row reported with its figures (to the micro-dollar), and
// fixed; right summaries come out as they went in.

const NOW = Date.parse('2026-12-01T00:00:00Z');

describeOnEachDialect('cost summary rebuild', (store) => {
  beforeEach(() =>
    emptyTables(store(), (t) => [
      t.costTracking,
      t.monthlyCostSummaries,
      t.dailyCostSummaries,
      t.executions,
      t.agentConfigurations,
    ]),
  );

  const rebuild = () => transaction(store(), (tx) => rebuildCostSummaries(tx, NOW));

  /** Two agents' November around the month's edges, written as the cost tracker writes them. */
  async function seedNovember() {
    const agents = {
      writer: await insertAgent(store(), 'writer'),
      helper: await insertAgent(store(), 'helper'),
    };
    for (const seed of Object.values(NOVEMBER_RUNS))
      await insertCostedRun(store(), { agentId: agents[seed.agent], createdAt: seed.createdAt }, seed.spends);
    return agents;
  }

  /** Both tables' rows without updated_at, in one order (the rebuild rewrites every row). */
  async function snapshot({ db, t }: Store) {
    const strip = (rows: object[]) =>
      rows.map((row) => JSON.stringify(Object.entries(row).filter(([key]) => key !== 'updatedAt'))).sort();
    return {
      monthly: strip(await db.select().from(t.monthlyCostSummaries)),
      daily: strip(await db.select().from(t.dailyCostSummaries)),
    };
  }

  it('reports no drift on correct summaries and leaves the figures as they were', async () => {
    await seedNovember();
    const before = await snapshot(store());
    const report = await rebuild();
    expect(report.drift).toEqual([]);
    expect(report.tables).toEqual({
      monthly_cost_summaries: { rowsBefore: 4, rowsAfter: 4, added: 0, removed: 0, changed: 0 },
      daily_cost_summaries: { rowsBefore: 5, rowsAfter: 5, added: 0, removed: 0, changed: 0 },
    });
    expect(await snapshot(store())).toEqual(before);
    const { db, t } = store();
    const stamped = await db.select({ updatedAt: t.dailyCostSummaries.updatedAt }).from(t.dailyCostSummaries);
    expect(new Set(stamped.map((row) => row.updatedAt))).toEqual(new Set([NOW]));
  });

  it('reports exactly the tampered rows, a micro-dollar off included, with their figures, and fixes them', async () => {
    const { writer, helper } = await seedNovember();
    const correct = await snapshot(store());
    const { db, t } = store();
    const m = t.monthlyCostSummaries;
    await db
      .update(m)
      .set({ costMicros: 2_500_001, inputTokens: 1 })
      .where(and(eq(m.month, '2026-11'), eq(m.agentId, writer), eq(m.model, 'claude-sonnet-4-5')));
    await db.insert(m).values({
      month: '2026-09',
      agentId: writer,
      model: 'ghost',
      executionCount: 3,
      costMicros: 9,
      updatedAt: 0,
    });
    await db.delete(t.dailyCostSummaries).where(eq(t.dailyCostSummaries.day, '2026-11-19'));

    const report = await rebuild();
    expect(report.drift).toEqual([
      {
        table: 'monthly_cost_summaries',
        period: '2026-11',
        agentId: writer,
        model: 'claude-sonnet-4-5',
        change: 'changed',
        columns: ['inputTokens', 'costMicros'],
        before: { executionCount: 2, costMicros: 2_500_001 },
        after: { executionCount: 2, costMicros: 2_500_000 },
      },
      {
        table: 'monthly_cost_summaries',
        period: '2026-09',
        agentId: writer,
        model: 'ghost',
        change: 'removed',
        columns: [
          'executionCount',
          'inputTokens',
          'outputTokens',
          'cacheCreationTokens',
          'cacheReadTokens',
          'costMicros',
        ],
        before: { executionCount: 3, costMicros: 9 },
        after: null,
      },
      {
        table: 'daily_cost_summaries',
        period: '2026-11-19',
        agentId: helper,
        model: 'claude-haiku-4-5',
        change: 'added',
        columns: ['executionCount', 'costMicros'],
        before: null,
        after: { executionCount: 1, costMicros: 100_000 },
      },
    ]);
    expect(report.tables).toEqual({
      monthly_cost_summaries: { rowsBefore: 5, rowsAfter: 4, added: 0, removed: 1, changed: 1 },
      daily_cost_summaries: { rowsBefore: 4, rowsAfter: 5, added: 1, removed: 0, changed: 0 },
    });
    expect(await snapshot(store())).toEqual(correct);
    expect((await rebuild()).drift).toEqual([]);
  });

  it('sums to the micro-dollar up to 2^53 − 1, by the UTC day and month of each run', async () => {
    const agentId = await insertAgent(store(), 'big');
    const halfMax = 2 ** 52;
    // The last millisecond of a month and the first of the next: two months, two days.
    await insertCostedRun(store(), { agentId, createdAt: Date.parse('2026-11-30T23:59:59.999Z') }, [
      { model: 'claude-opus-4-5', costMicros: halfMax, inputTokens: 1 },
    ]);
    await insertCostedRun(store(), { agentId, createdAt: Date.parse('2026-11-30T00:00:00.000Z') }, [
      { model: 'claude-opus-4-5', costMicros: halfMax - 1, inputTokens: 2 },
    ]);
    await insertCostedRun(store(), { agentId, createdAt: Date.parse('2026-12-01T00:00:00.000Z') }, [
      { model: 'claude-opus-4-5', costMicros: 1 },
    ]);
    // Wipe the summaries: the rebuild adds every row back from the cost rows alone.
    await emptyTables(store(), (t) => [t.monthlyCostSummaries, t.dailyCostSummaries]);

    const report = await rebuild();
    expect(report.tables).toEqual({
      monthly_cost_summaries: { rowsBefore: 0, rowsAfter: 2, added: 2, removed: 0, changed: 0 },
      daily_cost_summaries: { rowsBefore: 0, rowsAfter: 2, added: 2, removed: 0, changed: 0 },
    });
    const after = (period: string) =>
      report.drift.filter((drift) => drift.period === period).map((drift) => drift.after);
    expect(after('2026-11')).toEqual([{ executionCount: 2, costMicros: Number.MAX_SAFE_INTEGER }]);
    expect(after('2026-11-30')).toEqual([{ executionCount: 2, costMicros: Number.MAX_SAFE_INTEGER }]);
    expect(after('2026-12')).toEqual([{ executionCount: 1, costMicros: 1 }]);
    expect(after('2026-12-01')).toEqual([{ executionCount: 1, costMicros: 1 }]);
    const { db, t } = store();
    const [month] = await db
      .select()
      .from(t.monthlyCostSummaries)
      .where(eq(t.monthlyCostSummaries.month, '2026-11'));
    expect(month).toMatchObject({ costMicros: Number.MAX_SAFE_INTEGER, inputTokens: 3, updatedAt: NOW });
  });
});

describeOnPostgres('cost summary rebuild, a run recorded meanwhile', (store) => {
  /** Polls, on the rebuild's own connection, until another session waits for a lock on the summaries. */
  function* untilAWriterWaits({ db }: Store): Plan<void> {
    for (;;) {
      const [waiting] = yield* rowsOf(
        db
          .select({ n: count() })
          .from(sql`pg_locks`)
          .where(sql`relation = 'monthly_cost_summaries'::regclass and not granted`),
      );
      if (waiting && waiting.n > 0) return;
    }
  }

  it('waits for the rebuild, then adds its spend to the rebuilt figures: none is lost or counted twice', async () => {
    const agentId = await insertAgent(store(), 'busy');
    await insertCostedRun(store(), { agentId, createdAt: Date.parse('2026-11-10T12:00:00Z') }, [
      { model: 'claude-sonnet-4-5', costMicros: 1_000_001 },
    ]);
    let recordedMeanwhile: Promise<number> | undefined;
    const report = await transaction(store(), function* (tx) {
      const rebuilt = yield* rebuildCostSummaries(tx, NOW);
      // A run of a month the rebuild has no row for: without the lock its summary would be written at once.
      recordedMeanwhile = insertCostedRun(
        store(),
        { agentId, createdAt: Date.parse('2026-12-02T12:00:00Z') },
        [{ model: 'claude-sonnet-4-5', costMicros: 2_000_002 }],
      );
      yield* untilAWriterWaits(tx);
      return rebuilt;
    });
    await recordedMeanwhile;
    expect(report.drift).toEqual([]);

    const { db, t } = store();
    const months = await db
      .select({ month: t.monthlyCostSummaries.month, costMicros: t.monthlyCostSummaries.costMicros })
      .from(t.monthlyCostSummaries)
      .orderBy(t.monthlyCostSummaries.month);
    expect(months).toEqual([
      { month: '2026-11', costMicros: 1_000_001 },
      { month: '2026-12', costMicros: 2_000_002 },
    ]);
    expect((await transaction(store(), (tx) => rebuildCostSummaries(tx, NOW))).drift).toEqual([]);
  });
});
