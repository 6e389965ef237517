import { count, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { DbConnection } from '../../src/lib/db';
import { execute, type Plan } from '../../src/lib/db/plan';
import {
  deleteRunOutputBatch,
  getOutputFigures,
  listRunsToPrune,
  markOutputPruned,
} from '../../src/lib/db/queries/outputRetention';
import type { Store } from '../../src/lib/db/store';
import { startOutputRetention } from '../../src/lib/storage/outputRetention';
import { capturingLogger } from '../helpers/logCapture';
import { describeOnEachDialect, insertAgent, insertRun } from '../helpers/stores';

// Output retention's queries on both dialects: which runs are past retention (oldest end first),
// their log lines then steps deleted in bounded batches, the mark that takes a run out of the
// list, and the figures the System page shows. The run itself (cost, result) and its cost rows stay.

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const CUTOFF = NOW - 30 * DAY_MS;

/** A run that ended `daysAgo` before `now` (null: still running) with `lines` log lines, two steps and a cost row. */
async function runWithOutput(
  store: Store,
  agentId: number,
  daysAgo: number | null,
  lines: number,
  now = NOW,
) {
  const { db, t } = store;
  const id = await insertRun(store, agentId, {
    status: daysAgo === null ? 'running' : 'completed',
    finishedAt: daysAgo === null ? null : now - daysAgo * DAY_MS,
    costMicros: 1_234_567,
    resultText: 'the result',
    lastSeq: lines + 2,
  });
  await db.insert(t.executionSteps).values(
    [1, 2].map((seq) => ({
      executionId: id,
      seq,
      kind: 'system' as const,
      summary: 's',
      payload: {},
      createdAt: 0,
    })),
  );
  if (lines > 0)
    await db.insert(t.executionLogs).values(
      Array.from({ length: lines }, (_, i) => ({
        executionId: id,
        seq: i + 3,
        level: 'info' as const,
        text: `line ${i}`,
        createdAt: 0,
      })),
    );
  await db
    .insert(t.costTracking)
    .values({ executionId: id, agentId, model: 'm', costMicros: 1_234_567, createdAt: 0, updatedAt: 0 });
  return id;
}

async function outputOf({ db, t }: Store, executionId: number) {
  const [logs] = await db
    .select({ n: count() })
    .from(t.executionLogs)
    .where(eq(t.executionLogs.executionId, executionId));
  const [steps] = await db
    .select({ n: count() })
    .from(t.executionSteps)
    .where(eq(t.executionSteps.executionId, executionId));
  return { logs: logs?.n, steps: steps?.n };
}

describeOnEachDialect('output retention', (store) => {
  const run = <T>(plan: (store: Store) => Plan<T>) => execute(store(), plan(store()));

  it('lists only ended runs past retention whose output is kept, oldest end first, a page at a time', async () => {
    const agentId = await insertAgent(store(), 'lister');
    const older = await runWithOutput(store(), agentId, 50, 0);
    const old = await runWithOutput(store(), agentId, 40, 0);
    const sameEnd = await runWithOutput(store(), agentId, 40, 0);
    await runWithOutput(store(), agentId, 10, 0);
    await runWithOutput(store(), agentId, null, 0);

    expect(await run((s) => listRunsToPrune(s, CUTOFF, 20))).toEqual([older, old, sameEnd]);
    expect(await run((s) => listRunsToPrune(s, CUTOFF, 2))).toEqual([older, old]);
    // Marked pruned, a run leaves the list.
    expect(await run((s) => markOutputPruned(s, older, NOW))).toBe(1);
    expect(await run((s) => listRunsToPrune(s, CUTOFF, 20))).toEqual([old, sameEnd]);
    await run((s) => markOutputPruned(s, old, NOW));
    await run((s) => markOutputPruned(s, sameEnd, NOW));
  });

  it('deletes a run’s log lines in batches of at most the limit, then its steps, and nothing of another run', async () => {
    const { db, t } = store();
    const agentId = await insertAgent(store(), 'deleter');
    const pruned = await runWithOutput(store(), agentId, 40, 1_100);
    const neighbour = await runWithOutput(store(), agentId, 40, 30);

    const batches: number[] = [];
    for (let deleted = -1; deleted !== 0; ) {
      deleted = await run((s) => deleteRunOutputBatch(s, pruned, 500));
      batches.push(deleted);
    }
    expect(batches).toEqual([500, 500, 100, 2, 0]);
    expect(await outputOf(store(), pruned)).toEqual({ logs: 0, steps: 0 });
    expect(await outputOf(store(), neighbour)).toEqual({ logs: 30, steps: 2 });

    // The oldest lines went first: after one batch of 10, the neighbour's log starts at line 10.
    await run((s) => deleteRunOutputBatch(s, neighbour, 10));
    const [first] = await db
      .select({ text: t.executionLogs.text })
      .from(t.executionLogs)
      .where(eq(t.executionLogs.executionId, neighbour))
      .orderBy(t.executionLogs.seq)
      .limit(1);
    expect(first?.text).toBe('line 10');

    // The run keeps its row, its cost to the micro-dollar, its result and its cost rows.
    await run((s) => markOutputPruned(s, pruned, NOW));
    const [row] = await db
      .select({
        costMicros: t.executions.costMicros,
        resultText: t.executions.resultText,
        prunedAt: t.executions.outputPrunedAt,
      })
      .from(t.executions)
      .where(eq(t.executions.id, pruned));
    expect(row).toEqual({ costMicros: 1_234_567, resultText: 'the result', prunedAt: NOW });
    const costs = await db
      .select({ costMicros: t.costTracking.costMicros })
      .from(t.costTracking)
      .where(eq(t.costTracking.executionId, pruned));
    expect(costs).toEqual([{ costMicros: 1_234_567 }]);
    await run((s) => markOutputPruned(s, neighbour, NOW));
  });

  it('counts what is kept, what the next round frees and what was pruned, from the runs’ counters', async () => {
    const before = await run((s) => getOutputFigures(s, CUTOFF));
    const agentId = await insertAgent(store(), 'counter');
    const past = await runWithOutput(store(), agentId, 45, 98);
    await runWithOutput(store(), agentId, 5, 8);
    await runWithOutput(store(), agentId, null, 3);
    const done = await runWithOutput(store(), agentId, 60, 0);
    await run((s) => markOutputPruned(s, done, NOW));

    const after = await run((s) => getOutputFigures(s, CUTOFF));
    expect({
      keptRuns: after.keptRuns - before.keptRuns,
      keptRows: after.keptRows - before.keptRows,
      prunableRuns: after.prunableRuns - before.prunableRuns,
      prunableRows: after.prunableRows - before.prunableRows,
      prunedRuns: after.prunedRuns - before.prunedRuns,
    }).toEqual({ keptRuns: 3, keptRows: 100 + 10 + 5, prunableRuns: 1, prunableRows: 100, prunedRuns: 1 });
    // Without retention nothing is prunable; the rest reads the same.
    expect(await run((s) => getOutputFigures(s, null))).toEqual({
      ...after,
      prunableRuns: 0,
      prunableRows: 0,
    });
    await run((s) => markOutputPruned(s, past, NOW));
  });
});

describeOnEachDialect('the output retention sweep', (store) => {
  it('drops the output of runs past the retention setting at its round, and the System page’s figures follow', async () => {
    const now = Date.now();
    const agentId = await insertAgent(store(), 'swept');
    const old = await runWithOutput(store(), agentId, 40, 1_234, now);
    const recent = await runWithOutput(store(), agentId, 10, 50, now);
    const running = await runWithOutput(store(), agentId, null, 50, now);
    const { logger, records } = capturingLogger();
    const retention = startOutputRetention({
      store: store(),
      // SQLite shows its file; Postgres the database's size.
      ...(store().dialect === 'sqlite' && { file: (store().db as DbConnection).$client.name }),
      logger,
      retentionDays: async () => 30,
      intervalMs: 3_600_000,
    });
    try {
      const before = await retention.usage();
      expect(before).toMatchObject({
        retentionDays: 30,
        keptRuns: 3,
        keptRows: 1_236 + 52 + 52,
        prunableRuns: 1,
        prunableRows: 1_236,
        prunedRuns: 0,
        lastRound: null,
      });
      expect(before.fileBytes).toBeGreaterThan(0);

      // What a settings change does: a round at once.
      await retention.kick();
      const after = await retention.usage();
      expect(after).toMatchObject({
        keptRuns: 2,
        keptRows: 104,
        prunableRuns: 0,
        prunableRows: 0,
        prunedRuns: 1,
        lastRound: { runs: 1, rows: 1_236 },
      });
      expect(await outputOf(store(), old)).toEqual({ logs: 0, steps: 0 });
      expect(await outputOf(store(), recent)).toEqual({ logs: 50, steps: 2 });
      expect(await outputOf(store(), running)).toEqual({ logs: 50, steps: 2 });
      expect(records().filter((record) => Number(record.level) >= 40)).toEqual([]);
    } finally {
      await retention.stop();
    }
  });
});
