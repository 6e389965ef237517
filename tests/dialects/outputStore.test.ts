import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { LOG_TRUNCATED_MARKER } from '../../src/lib/contracts/executions';
import { outputStoreOf } from '../../src/lib/db/queries/outputStore';
import type { Store } from '../../src/lib/db/store';
import { type CommittedOutput, OutputWriter } from '../../src/lib/engine/outputWriter';
import { SecretMasker } from '../../src/lib/security/secrets';
import { describeOnEachDialect, describeOnPostgres, insertAgent, insertRun } from '../helpers/stores';

// The live log writer's storage, one implementation per dialect (SQLite's raw statements, Postgres'
// drizzle transaction with multi-row inserts), held to one contract through the writer itself.

const SECRET = 'sk-ant-dialect-0123456789abcdef';

/**
 * A writer for the worker `writerId` on `store`'s output store that records what it hands on,
 * what it reports failed and the runs it left out as another worker's.
 */
function recordingWriter(store: Store, writerId = 'worker-a') {
  const published: CommittedOutput[] = [];
  const failures: { code: unknown; executionIds: number[] }[] = [];
  const heldElsewhere: number[] = [];
  const writer = new OutputWriter(
    outputStoreOf(store, writerId),
    new SecretMasker([SECRET]),
    (outputs) => published.push(...outputs),
    (error, executionIds) => failures.push({ code: (error as { code?: unknown }).code, executionIds }),
    (executionIds) => heldElsewhere.push(...executionIds),
  );
  return { writer, published, failures, heldElsewhere };
}

async function logsOf({ db, t }: Store, executionId: number) {
  return db
    .select({ seq: t.executionLogs.seq, level: t.executionLogs.level, text: t.executionLogs.text })
    .from(t.executionLogs)
    .where(eq(t.executionLogs.executionId, executionId))
    .orderBy(asc(t.executionLogs.seq));
}

async function stepsOf({ db, t }: Store, executionId: number) {
  return db
    .select({
      seq: t.executionSteps.seq,
      summary: t.executionSteps.summary,
      payload: t.executionSteps.payload,
    })
    .from(t.executionSteps)
    .where(eq(t.executionSteps.executionId, executionId))
    .orderBy(asc(t.executionSteps.seq));
}

async function executionOf({ db, t }: Store, id: number) {
  const [row] = await db
    .select({
      lastSeq: t.executions.lastSeq,
      lastActivityAt: t.executions.lastActivityAt,
      inputTokens: t.executions.inputTokens,
      numTurns: t.executions.numTurns,
    })
    .from(t.executions)
    .where(eq(t.executions.id, id));
  return row;
}

const step = (summary: string, payload: unknown) => ({
  kind: 'system' as const,
  summary,
  toolName: null,
  toolUseId: null,
  isError: false,
  payload,
});

describeOnEachDialect('the output store', (store) => {
  it("stores a run's steps and lines in seq order, masked, and advances its last_seq and figures with them", async () => {
    const agentId = await insertAgent(store(), 'in order');
    const id = await insertRun(store(), agentId);
    const { writer, published, failures } = recordingWriter(store());
    const output = writer.open(id, 0);
    output.addStep(step('started', { tools: ['Bash'] }));
    output.addLog({ level: 'info', text: `key ${SECRET}` });
    output.addStep(step('no payload', null));
    output.addLog({ level: 'warn', text: 'two' });
    output.setProgress({
      inputTokens: 12,
      outputTokens: 3,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      numTurns: 1,
      apiRetryCount: 0,
    });
    const before = Date.now();
    output.flush();
    await writer.settled();

    expect(failures).toEqual([]);
    expect(await stepsOf(store(), id)).toEqual([
      { seq: 1, summary: 'started', payload: { tools: ['Bash'] } },
      { seq: 3, summary: 'no payload', payload: null },
    ]);
    expect(await logsOf(store(), id)).toEqual([
      { seq: 2, level: 'info', text: 'key [REDACTED]' },
      { seq: 4, level: 'warn', text: 'two' },
    ]);
    const row = await executionOf(store(), id);
    expect(row).toMatchObject({ lastSeq: 4, inputTokens: 12, numTurns: 1 });
    expect(row?.lastActivityAt).toBeGreaterThanOrEqual(before);
    expect(
      published.map((batch) => [batch.executionId, batch.seq, batch.steps.length, batch.logs.length]),
    ).toEqual([[id, 4, 2, 2]]);

    // A flood past one insert's rows, then more while it may still be committing: all of it, in order.
    for (let i = 1; i <= 2_500; i++) output.addLog({ level: 'info', text: `line ${i}` });
    output.addLog({ level: 'info', text: 'last' });
    output.flush();
    await writer.settled();
    const logs = await logsOf(store(), id);
    expect(logs).toHaveLength(2 + 2_501);
    expect(logs.map((line) => line.seq)).toEqual(
      Array.from({ length: 2_503 }, (_, i) => (i < 2 ? 2 * i + 2 : i + 3)),
    );
    expect(logs.at(-1)).toEqual({ seq: 2_505, level: 'info', text: 'last' });
    expect((await executionOf(store(), id))?.lastSeq).toBe(2_505);
    expect(published.at(-1)?.seq).toBe(2_505);
  });

  it('commits a flush all or nothing: one run failing keeps the other run of the flush out too', async () => {
    const agentId = await insertAgent(store(), 'all or nothing');
    const healthy = await insertRun(store(), agentId);
    const clashing = await insertRun(store(), agentId);
    const first = recordingWriter(store());
    const earlier = first.writer.open(clashing, 0);
    earlier.addLog({ level: 'info', text: 'stored before' });
    earlier.flush();
    await first.writer.settled();

    // A second writer that believes the run starts at seq 0: its line 1 is taken already.
    const { writer, published, failures } = recordingWriter(store());
    writer.open(healthy, 0).addLog({ level: 'info', text: 'would be fine' });
    writer.open(clashing, 0).addLog({ level: 'info', text: 'clashes' });
    writer.flush();
    await writer.settled();

    expect(failures).toHaveLength(1);
    expect(failures[0]?.executionIds.sort()).toEqual([healthy, clashing].sort());
    expect(published).toEqual([]);
    expect(await logsOf(store(), healthy)).toEqual([]);
    expect((await executionOf(store(), healthy))?.lastSeq).toBe(0);
    expect(await logsOf(store(), clashing)).toEqual([{ seq: 1, level: 'info', text: 'stored before' }]);
    expect((await executionOf(store(), clashing))?.lastSeq).toBe(1);
  });

  it('stores lines up to the log cap, one marker, and at the end how many it left out', async () => {
    const agentId = await insertAgent(store(), 'capped');
    const id = await insertRun(store(), agentId);
    const { writer } = recordingWriter(store());
    const output = writer.open(id, 0, 20);
    for (const text of ['0123456789', '0123456789', 'over', 'also over'])
      output.addLog({ level: 'info', text });
    output.closeTruncation();
    output.flush();
    await writer.settled();

    const logs = await logsOf(store(), id);
    expect(
      logs.map((line) => [line.seq, line.text.startsWith(LOG_TRUNCATED_MARKER) ? 'marker' : line.text]),
    ).toEqual([
      [1, '0123456789'],
      [2, '0123456789'],
      [3, 'marker'],
      [4, 'marker'],
    ]);
    expect(logs[3]?.text).toContain('2 more lines (13 B) were not stored');
    expect((await executionOf(store(), id))?.lastSeq).toBe(4);
  });
});

// Only Postgres has other workers: SQLite's one process holds every run.
describeOnPostgres('the output store of one of several workers', (store) => {
  it("leaves out a late flush's lines of a run another worker took up, and stores the rest of the flush", async () => {
    const agentId = await insertAgent(store(), 'taken up');
    // Worker A ran it and was cut off; the run went on on worker B, which wrote seq 1 and 2.
    const takenUp = await insertRun(store(), agentId, { workerId: 'worker-b' });
    const takenUpByB = recordingWriter(store(), 'worker-b');
    const onB = takenUpByB.writer.open(takenUp, 0);
    onB.addLog({ level: 'info', text: 'b one' });
    onB.addLog({ level: 'info', text: 'b two' });
    onB.flush();
    await takenUpByB.writer.settled();
    const ownRun = await insertRun(store(), agentId, { workerId: 'worker-a' });
    const queued = await insertRun(store(), agentId, { status: 'queued' });

    // A's link comes back and its last flush lands: seq 2 would clash with B's.
    const { writer, published, failures, heldElsewhere } = recordingWriter(store(), 'worker-a');
    const late = writer.open(takenUp, 1);
    late.addLog({ level: 'info', text: 'a late' });
    late.addLog({ level: 'info', text: 'a later' });
    writer.open(ownRun, 0).addLog({ level: 'info', text: 'own' });
    writer.open(queued, 0).addLog({ level: 'info', text: 'queued' });
    writer.flush();
    await writer.settled();

    expect(failures).toEqual([]);
    expect(heldElsewhere).toEqual([takenUp]);
    expect(published.map((batch) => batch.executionId).sort()).toEqual([ownRun, queued].sort());
    expect((await logsOf(store(), takenUp)).map((line) => [line.seq, line.text])).toEqual([
      [1, 'b one'],
      [2, 'b two'],
    ]);
    expect((await executionOf(store(), takenUp))?.lastSeq).toBe(2);
    expect((await logsOf(store(), ownRun)).map((line) => line.text)).toEqual(['own']);
    expect((await logsOf(store(), queued)).map((line) => line.text)).toEqual(['queued']);
  });
});
