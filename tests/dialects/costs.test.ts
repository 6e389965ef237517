import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { ModelCostRecord } from '../../src/lib/contracts/costs';
import { DENIAL_REASONS } from '../../src/lib/contracts/executions';
import { execute, rowsOf, transaction } from '../../src/lib/db/plan';
import {
  dayKey,
  monthKey,
  monthSpendMicrosOf,
  type OutcomeWrite,
  type PreviousCosts,
  recordExecutionCosts,
  recordExecutionOutcome,
  recordHandBack,
} from '../../src/lib/db/queries/costs';
import type { Store } from '../../src/lib/db/store';
import { byModel } from '../../src/lib/engine/spendGuard';
import { costRecord, type Spend } from '../helpers/costs';
import { describeOnEachDialect, emptyTables, insertAgent, insertRun } from '../helpers/stores';

// The cost writers on both dialects: every usage event of a running run upserts its cost rows and
// moves the month's and the day's summaries by the difference, in integer micro-dollars.

const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';

/** A model's figures as the tracker hands them over: zeros where not given. */
const figures = (model: string, fields: Omit<Spend, 'model'>) => costRecord({ model, ...fields });

/** A running run's live writes, one transaction each, as the spend guard makes them: what it last wrote. */
async function liveWrites(
  store: Store,
  execution: { id: number; agentId: number; createdAt: number },
  events: ModelCostRecord[][],
  previous: PreviousCosts = new Map(),
): Promise<PreviousCosts> {
  let written = previous;
  for (const rows of events) {
    const before = written;
    await transaction(store, (tx) => recordExecutionCosts(tx, execution, rows, before));
    written = byModel(rows);
  }
  return written;
}

async function summaries({ db, t }: Store) {
  const { monthlyCostSummaries: m, dailyCostSummaries: d } = t;
  return {
    months: await db
      .select({
        month: m.month,
        agentId: m.agentId,
        model: m.model,
        executionCount: m.executionCount,
        inputTokens: m.inputTokens,
        outputTokens: m.outputTokens,
        cacheCreationTokens: m.cacheCreationTokens,
        cacheReadTokens: m.cacheReadTokens,
        costMicros: m.costMicros,
      })
      .from(m)
      .orderBy(asc(m.month), asc(m.agentId), asc(m.model)),
    days: await db
      .select({
        day: d.day,
        agentId: d.agentId,
        model: d.model,
        executionCount: d.executionCount,
        costMicros: d.costMicros,
      })
      .from(d)
      .orderBy(asc(d.day), asc(d.agentId), asc(d.model)),
  };
}

async function costRows({ db, t }: Store, executionId: number) {
  return db
    .select()
    .from(t.costTracking)
    .where(eq(t.costTracking.executionId, executionId))
    .orderBy(asc(t.costTracking.model));
}

async function executionRow({ db, t }: Store, id: number) {
  const [row] = await db.select().from(t.executions).where(eq(t.executions.id, id));
  if (!row) throw new Error(`no execution ${id}`);
  return row;
}

describeOnEachDialect('cost writers', (store) => {
  it('a run recorded in deltas adds up exactly to its month and day, on the UTC month and day it was created in', async () => {
    await emptyTables(store(), (t) => [t.monthlyCostSummaries, t.dailyCostSummaries]);
    const agentId = await insertAgent(store(), 'deltas');
    // The last millisecond of November (UTC) and the first of December: two months, two days.
    const lastOfNovember = Date.parse('2026-11-30T23:59:59.999Z');
    const firstOfDecember = Date.parse('2026-12-01T00:00:00.000Z');
    const november = { id: await insertRun(store(), agentId, { createdAt: lastOfNovember }), agentId };
    const december = { id: await insertRun(store(), agentId, { createdAt: firstOfDecember }), agentId };

    // Growing figures, one micro-dollar at a time and then a large jump: a float would round them.
    await liveWrites(store(), { ...november, createdAt: lastOfNovember }, [
      [figures(SONNET, { costMicros: 1, inputTokens: 10 })],
      [figures(SONNET, { costMicros: 2, inputTokens: 10, outputTokens: 1 })],
      [
        figures(SONNET, { costMicros: 3, inputTokens: 10, outputTokens: 2, cacheCreation5mTokens: 5 }),
        figures(HAIKU, { costMicros: 1, cacheCreation1hTokens: 7, cacheReadTokens: 100, unpriced: true }),
      ],
      [
        figures(SONNET, {
          costMicros: 4_503_599_627_370_497,
          inputTokens: 20,
          outputTokens: 3,
          cacheCreation5mTokens: 5,
        }),
        figures(HAIKU, { costMicros: 1, cacheCreation1hTokens: 7, cacheReadTokens: 100, unpriced: true }),
      ],
    ]);
    await liveWrites(store(), { ...december, createdAt: firstOfDecember }, [
      [figures(SONNET, { costMicros: 999_999 })],
      [figures(SONNET, { costMicros: 1_000_001 })],
    ]);

    const { months, days } = await summaries(store());
    expect(months).toEqual([
      {
        month: monthKey(lastOfNovember),
        agentId,
        model: HAIKU,
        executionCount: 1,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 7,
        cacheReadTokens: 100,
        costMicros: 1,
      },
      {
        month: '2026-11',
        agentId,
        model: SONNET,
        executionCount: 1,
        inputTokens: 20,
        outputTokens: 3,
        cacheCreationTokens: 5,
        cacheReadTokens: 0,
        costMicros: 4_503_599_627_370_497,
      },
      {
        month: '2026-12',
        agentId,
        model: SONNET,
        executionCount: 1,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        costMicros: 1_000_001,
      },
    ]);
    expect(days).toEqual([
      { day: '2026-11-30', agentId, model: HAIKU, executionCount: 1, costMicros: 1 },
      { day: '2026-11-30', agentId, model: SONNET, executionCount: 1, costMicros: 4_503_599_627_370_497 },
      { day: dayKey(firstOfDecember), agentId, model: SONNET, executionCount: 1, costMicros: 1_000_001 },
    ]);
    // The run's own figures are the last write's, its total the sum of its models'.
    expect(await executionRow(store(), november.id)).toMatchObject({
      costMicros: 4_503_599_627_370_498,
      reportedCostMicros: 4_503_599_627_370_498,
    });
    expect(
      (await costRows(store(), november.id)).map((row) => [row.model, row.costMicros, row.unpriced]),
    ).toEqual([
      [HAIKU, 1, true],
      [SONNET, 4_503_599_627_370_497, false],
    ]);
    // What the budgets read: the month's spend, all agents' and this one's.
    expect(await execute(store(), monthSpendMicrosOf(store(), '2026-11'))).toBe(4_503_599_627_370_498);
    expect(await execute(store(), monthSpendMicrosOf(store(), '2026-12', agentId))).toBe(1_000_001);
  });

  it("a handed-back run and its next start count once, with every process's spend", async () => {
    await emptyTables(store(), (t) => [t.monthlyCostSummaries, t.dailyCostSummaries]);
    const agentId = await insertAgent(store(), 'handed back');
    const createdAt = Date.parse('2026-11-15T12:00:00.000Z');
    const execution = {
      id: await insertRun(store(), agentId, { createdAt, workerId: 'w1' }),
      agentId,
      createdAt,
    };
    const firstProcess = [figures(SONNET, { costMicros: 300_001, inputTokens: 100 })];
    const written = await liveWrites(store(), execution, [
      [figures(SONNET, { costMicros: 200_000, inputTokens: 50 })],
    ]);

    // The server stops: the run is handed back with the figures the reconciliation gives.
    const handBack = (workerId: string) =>
      transaction(store(), (tx) =>
        recordHandBack(tx, {
          execution,
          handedBack: { at: createdAt + 1_000, attempt: 2, from: { kind: 'prompt' } },
          progress: {
            inputTokens: 100,
            outputTokens: 0,
            cacheCreationTokens: 0,
            cacheReadTokens: 0,
            numTurns: 1,
            apiRetryCount: 0,
          },
          rows: firstProcess,
          previous: written,
          attempt: {
            executionId: execution.id,
            attempt: 1,
            status: 'interrupted',
            startedAt: createdAt,
            finishedAt: createdAt + 1_000,
            errorCode: 'handed_back',
            errorMessage: 'handed back',
          },
          workerId,
        }),
      );
    // A worker that no longer holds the run (a reaper settled it, another worker took it) writes nothing.
    expect(await handBack('w2')).toBe(false);
    expect(await executionRow(store(), execution.id)).toMatchObject({
      status: 'running',
      costMicros: 200_000,
    });
    const { db, t } = store();
    const attempts = () =>
      db.select().from(t.executionAttempts).where(eq(t.executionAttempts.executionId, execution.id));
    expect(await attempts()).toEqual([]);
    expect(await handBack('w1')).toBe(true);
    expect(await attempts()).toMatchObject([{ attempt: 1, status: 'interrupted' }]);
    expect(await executionRow(store(), execution.id)).toMatchObject({
      status: 'queued',
      handedBack: { at: createdAt + 1_000, attempt: 2, from: { kind: 'prompt' } },
      errorCode: 'handed_back',
      inputTokens: 100,
      numTurns: 1,
      costMicros: 300_001,
    });

    // The next start adds its spend to what the first process stored (its prior figures).
    await liveWrites(
      store(),
      execution,
      [
        [figures(SONNET, { costMicros: 300_002, inputTokens: 101 })],
        [figures(SONNET, { costMicros: 400_000, inputTokens: 150 }), figures(HAIKU, { costMicros: 7 })],
      ],
      byModel(firstProcess),
    );
    const { months, days } = await summaries(store());
    expect(months.map((row) => [row.model, row.executionCount, row.inputTokens, row.costMicros])).toEqual([
      [HAIKU, 1, 0, 7],
      [SONNET, 1, 150, 400_000],
    ]);
    expect(days.map((row) => [row.day, row.model, row.executionCount, row.costMicros])).toEqual([
      ['2026-11-15', HAIKU, 1, 7],
      ['2026-11-15', SONNET, 1, 400_000],
    ]);
    expect((await executionRow(store(), execution.id)).costMicros).toBe(400_007);
  });

  it('two runs at once on one model: the summaries hold both, each move applied once', async () => {
    await emptyTables(store(), (t) => [t.monthlyCostSummaries, t.dailyCostSummaries]);
    const agentId = await insertAgent(store(), 'two at once');
    const createdAt = Date.parse('2026-11-20T08:00:00.000Z');
    const run = async () => ({ id: await insertRun(store(), agentId, { createdAt }), agentId, createdAt });
    const [first, second] = [await run(), await run()];
    // Each run's events, written at the same time (on Postgres each on its own client of the pool).
    const steps = (scale: number) =>
      Array.from({ length: 20 }, (_, i) => [
        figures(SONNET, { costMicros: (i + 1) * scale, outputTokens: i + 1 }),
      ]);
    await Promise.all([liveWrites(store(), first, steps(1_001)), liveWrites(store(), second, steps(7))]);

    const { months, days } = await summaries(store());
    expect(months).toEqual([
      expect.objectContaining({
        model: SONNET,
        executionCount: 2,
        outputTokens: 40,
        costMicros: 20 * 1_001 + 20 * 7,
      }),
    ]);
    expect(days).toEqual([expect.objectContaining({ executionCount: 2, costMicros: 20_160 })]);
    expect((await executionRow(store(), first.id)).costMicros).toBe(20_020);
    expect((await executionRow(store(), second.id)).costMicros).toBe(140);
  });

  it('the outcome write ends the run, stores its last attempt and moves the summaries to its final figures; a failure stores none of it', async () => {
    await emptyTables(store(), (t) => [t.monthlyCostSummaries, t.dailyCostSummaries]);
    const agentId = await insertAgent(store(), 'outcome');
    const createdAt = Date.parse('2026-11-03T00:00:00.000Z');
    const execution = {
      id: await insertRun(store(), agentId, { createdAt, workerId: 'w1' }),
      agentId,
      createdAt,
    };
    const written = await liveWrites(store(), execution, [
      [figures(SONNET, { costMicros: 500_000, outputTokens: 90 })],
    ]);
    const finishedAt = createdAt + 60_000;
    const denial = {
      toolName: 'Bash',
      toolUseId: 'toolu_1',
      reason: DENIAL_REASONS[0],
      message: 'not allowed',
      hint: null,
      input: 'rm -rf /',
      at: finishedAt - 5,
    };
    const write: OutcomeWrite = {
      execution,
      outcome: {
        status: 'completed',
        finishedAt,
        durationMs: 59_000,
        numTurns: 3,
        totals: { inputTokens: 10, outputTokens: 80, cacheCreationTokens: 0, cacheReadTokens: 4 },
        resultText: 'done',
        structuredOutput: { ok: true, items: [1, 2] },
        apiRetryCount: 1,
        errorCode: null,
        errorMessage: null,
        deniedToolCalls: 1,
        denials: [denial],
        warnings: [{ code: 'approval_timeout', message: 'an approval timed out' }],
      },
      // The result's figures are lower than the stream's estimate: the summaries move down.
      rows: [
        figures(SONNET, {
          costMicros: 499_999,
          outputTokens: 80,
          reportedCostMicros: 500_100,
          usageSource: 'result',
          costMismatch: true,
        }),
      ],
      previous: written,
      lastAttempt: {
        executionId: execution.id,
        attempt: 1,
        status: 'completed',
        startedAt: createdAt + 1_000,
        finishedAt,
        costMicros: 499_999,
      },
      workerId: 'w1',
    };

    // A failure after the outcome's statements in the same transaction: nothing of it is stored.
    await expect(
      transaction(store(), function* (tx) {
        yield* recordExecutionOutcome(tx, write);
        throw new Error('the ending event could not be written');
      }),
    ).rejects.toThrow('the ending event could not be written');
    expect(await executionRow(store(), execution.id)).toMatchObject({
      status: 'running',
      finishedAt: null,
      costMicros: 500_000,
    });
    expect((await summaries(store())).months[0]?.costMicros).toBe(500_000);

    // A worker that no longer holds the run (a reaper requeued it, another worker took it) ends nothing.
    expect(await transaction(store(), (tx) => recordExecutionOutcome(tx, { ...write, workerId: 'w2' }))).toBe(
      false,
    );
    expect(await executionRow(store(), execution.id)).toMatchObject({ status: 'running', finishedAt: null });
    expect((await summaries(store())).months[0]?.costMicros).toBe(500_000);

    expect(await transaction(store(), (tx) => recordExecutionOutcome(tx, write))).toBe(true);
    expect(await executionRow(store(), execution.id)).toMatchObject({
      status: 'completed',
      finishedAt,
      durationMs: 59_000,
      numTurns: 3,
      inputTokens: 10,
      outputTokens: 80,
      cacheReadTokens: 4,
      resultText: 'done',
      structuredOutput: { ok: true, items: [1, 2] },
      apiRetryCount: 1,
      deniedToolCalls: 1,
      denials: [denial],
      warnings: [{ code: 'approval_timeout', message: 'an approval timed out' }],
      nextAttemptAt: null,
      costMicros: 499_999,
      reportedCostMicros: 500_100,
    });
    const { db, t } = store();
    expect(
      await execute(
        store(),
        rowsOf(
          db
            .select({
              attempt: t.executionAttempts.attempt,
              status: t.executionAttempts.status,
              costMicros: t.executionAttempts.costMicros,
            })
            .from(t.executionAttempts)
            .where(eq(t.executionAttempts.executionId, execution.id)),
        ),
      ),
    ).toEqual([{ attempt: 1, status: 'completed', costMicros: 499_999 }]);
    expect(
      (await costRows(store(), execution.id)).map((row) => [
        row.usageSource,
        row.costMismatch,
        row.outputTokens,
      ]),
    ).toEqual([['result', true, 80]]);
    const { months, days } = await summaries(store());
    expect(months).toEqual([
      expect.objectContaining({ executionCount: 1, outputTokens: 80, costMicros: 499_999 }),
    ]);
    expect(days).toEqual([
      expect.objectContaining({ day: '2026-11-03', executionCount: 1, costMicros: 499_999 }),
    ]);
  });
});
