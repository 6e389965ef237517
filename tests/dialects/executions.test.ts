import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { DenialDto } from '../../src/lib/contracts/executions';
import { execute, transaction } from '../../src/lib/db/plan';
import { insertApproval } from '../../src/lib/db/queries/approvals';
import {
  agentDenialSummary,
  awaitingRunsWithoutPendingApproval,
  chainRootOf,
  countExecutionLogsBefore,
  countHandedBackAttempts,
  countToolCalls,
  getExecutionChain,
  getExecutionCostRecords,
  getExecutionDetail,
  getExecutionDetailWithResources,
  getExecutionLive,
  getExecutionLogs,
  getExecutionLogsBefore,
  getExecutionRow,
  getExecutionSteps,
  getExecutionSummary,
  getTriggerName,
  handedBackExecutions,
  insertQueuedExecution,
  interruptUnfinishedExecutions,
  listRecentAndActive,
  markExecutionRunning,
  markExecutionStatus,
  recordAttemptForRetry,
  recordExecutionInit,
  recordParkedProgress,
  recordRunFindings,
} from '../../src/lib/db/queries/executions';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect, insertAgent, insertRun } from '../helpers/stores';

// The run queries the engine, the run page, its API and the live lists read and write, on both dialects.

const T = 1_800_000_000_000;

async function agentIn(store: Store, fields: Parameters<typeof insertAgent>[2] = {}) {
  return insertAgent(store, `agent ${Math.random()}`, fields);
}

const queue = (store: Store, input: Parameters<typeof insertQueuedExecution>[1]) =>
  execute(store, insertQueuedExecution(store, input));

/** A run's output: a step at every third seq, log lines at the others, as the output writer numbers them. */
async function writeOutput(store: Store, executionId: number, lastSeq: number) {
  const { db, t } = store;
  const steps = [];
  const logs = [];
  for (let seq = 1; seq <= lastSeq; seq += 1) {
    if (seq % 3 === 1)
      steps.push({
        executionId,
        seq,
        kind: seq % 2 === 1 ? ('tool_use' as const) : ('assistant_text' as const),
        summary: `step ${seq}`,
        toolName: seq % 2 === 1 ? 'Bash' : null,
        toolUseId: seq % 2 === 1 ? `toolu_${seq}` : null,
        payload: { seq },
        createdAt: T + seq,
      });
    else logs.push({ executionId, seq, level: 'info' as const, text: `line ${seq}`, createdAt: T + seq });
  }
  // Shuffled, so no test leans on insertion order.
  await db.insert(t.executionLogs).values([...logs].reverse());
  await db.insert(t.executionSteps).values(steps);
  await db.update(t.executions).set({ lastSeq }).where(eq(t.executions.id, executionId));
  return { steps, logs };
}

describeOnEachDialect('executions', (store) => {
  it('writes a queued run and shows it as a list row: its agent, what started it, no spend', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const [schedule] = await s.db
      .insert(s.t.schedules)
      .values({ agentId, name: 'Nightly', cronExpression: '0 3 * * *', createdAt: T, updatedAt: T })
      .returning({ id: s.t.schedules.id });
    const scheduleId = schedule?.id ?? 0;
    const id = await queue(s, {
      agentId,
      prompt: 'Check the disks.',
      model: 'claude-sonnet-4-5',
      trigger: 'schedule',
      scheduleId,
      limits: { timeoutSeconds: 60 },
      createdAt: T,
    });
    const summary = await execute(s, getExecutionSummary(s, id));
    expect(summary).toMatchObject({
      id,
      agentId,
      agentName: expect.stringMatching(/^agent /),
      status: 'queued',
      trigger: 'schedule',
      scheduleId,
      triggerName: 'Nightly',
      model: 'claude-sonnet-4-5',
      createdAt: T,
      startedAt: null,
      costUsd: 0,
      lastSeq: 0,
      attempt: 1,
      deniedToolCalls: 0,
      warnings: [],
      queuePosition: null,
    });
    const origin = { trigger: 'schedule' as const, scheduleId, workflowRunId: null };
    expect(await execute(s, getTriggerName(s, origin))).toBe('Nightly');
    expect(await execute(s, getTriggerName(s, { ...origin, trigger: 'api' }))).toBe(null);
    const row = await execute(s, getExecutionRow(s, id));
    expect(row).toMatchObject({ prompt: 'Check the disks.', forked: false, limits: { timeoutSeconds: 60 } });
    const detail = await execute(s, getExecutionDetail(s, id));
    expect(detail).toMatchObject({ prompt: 'Check the disks.', forked: false, costs: [], attempts: [] });
    const live = await execute(s, getExecutionLive(s, id));
    expect(live).not.toHaveProperty('prompt');
    expect(live).toMatchObject({ id, status: 'queued' });
    expect(await execute(s, getExecutionSummary(s, id + 1_000))).toBe(undefined);
    expect(await execute(s, getExecutionDetail(s, id + 1_000))).toBe(undefined);
  });

  it('queues many runs in one transaction, each its own id, and a forked continue keeps its parent', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const ids = await transaction(s, function* (tx) {
      const written: number[] = [];
      for (let n = 0; n < 5; n += 1)
        written.push(
          yield* insertQueuedExecution(tx, { agentId, prompt: `p${n}`, model: 'm', trigger: 'api' }),
        );
      written.push(
        yield* insertQueuedExecution(tx, {
          agentId,
          prompt: 'again',
          model: 'm',
          trigger: 'continue',
          parentExecutionId: written[0],
          forked: true,
        }),
      );
      return written;
    });
    expect(new Set(ids).size).toBe(6);
    const fork = await execute(s, getExecutionRow(s, ids[5] ?? 0));
    expect(fork).toMatchObject({
      trigger: 'continue',
      parentExecutionId: ids[0],
      forked: true,
      limits: null,
    });
  });

  it('shows a run’s steps and log lines in seq order, and pages back through the log without gap or repeat', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const id = await insertRun(s, agentId);
    const other = await insertRun(s, agentId);
    const { steps, logs } = await writeOutput(s, id, 60);
    await writeOutput(s, other, 9);

    const readSteps = await execute(s, getExecutionSteps(s, id));
    expect(readSteps.map((step) => step.seq)).toEqual(steps.map((step) => step.seq));
    expect(readSteps[0]).toMatchObject({
      kind: 'tool_use',
      toolName: 'Bash',
      isError: false,
      payload: { seq: 1 },
    });
    expect((await execute(s, getExecutionSteps(s, id, 10, 22))).map((step) => step.seq)).toEqual([
      13, 16, 19, 22,
    ]);
    expect((await execute(s, getExecutionLogs(s, id, 10, 3))).map((line) => line.seq)).toEqual([11, 12, 14]);

    // The viewer's pages, newest first, each before the first line it holds.
    const pages: number[][] = [];
    let before = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const page = await execute(s, getExecutionLogsBefore(s, id, before, 7));
      if (page.length === 0) break;
      pages.push(page.map((line) => line.seq));
      const first = page[0]?.seq ?? 0;
      expect(await execute(s, countExecutionLogsBefore(s, id, first))).toBe(
        logs.filter((line) => line.seq < first).length,
      );
      before = first;
    }
    const seen = pages.reverse().flat();
    expect(seen).toEqual(logs.map((line) => line.seq));
    expect(pages.every((page) => page.every((seq, i) => i === 0 || seq > (page[i - 1] ?? 0)))).toBe(true);
    expect(await execute(s, countExecutionLogsBefore(s, id, 1))).toBe(0);
  });

  it('marks a run running on a worker, keeping its first start; records its init, a retry and a parked run’s figures', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const id = await queue(s, { agentId, prompt: 'p', model: 'm', trigger: 'manual', createdAt: T });
    await execute(s, markExecutionRunning(s, id, { startedAt: T + 10, attempt: 1, workerId: 'w1' }));
    await execute(
      s,
      recordExecutionInit(s, id, {
        sessionId: 'sess-1',
        apiKeySource: 'ANTHROPIC_API_KEY',
        model: 'claude-x',
      }),
    );
    await transaction(s, (tx) =>
      recordAttemptForRetry(
        tx,
        {
          executionId: id,
          attempt: 1,
          status: 'failed',
          startedAt: T + 10,
          finishedAt: T + 20,
          errorCode: 'overloaded',
          errorMessage: 'Overloaded',
          costMicros: 1_500,
          retryDelayMs: 1_000,
        },
        T + 1_020,
      ),
    );
    expect(await execute(s, getExecutionSummary(s, id))).toMatchObject({
      status: 'queued',
      nextAttemptAt: T + 1_020,
      errorCode: 'overloaded',
      model: 'claude-x',
    });
    await execute(s, markExecutionRunning(s, id, { startedAt: T + 1_030, attempt: 2, workerId: 'w2' }));
    const detail = await execute(s, getExecutionDetail(s, id));
    expect(detail).toMatchObject({
      status: 'running',
      startedAt: T + 10,
      attempt: 2,
      workerId: 'w2',
      nextAttemptAt: null,
      sessionId: 'sess-1',
      apiKeySource: 'ANTHROPIC_API_KEY',
    });
    expect(detail?.attempts).toEqual([
      expect.objectContaining({ attempt: 1, status: 'failed', errorCode: 'overloaded', costUsd: 0.0015 }),
    ]);

    await execute(s, markExecutionStatus(s, id, 'awaiting_approval', T + 2_000));
    const progress = {
      inputTokens: 10,
      outputTokens: 20,
      cacheCreationTokens: 30,
      cacheReadTokens: 40,
      numTurns: 2,
      apiRetryCount: 1,
    };
    // Parked by a process of another worker than the one holding it (it was taken for dead, and
    // another took the run up): nothing changes.
    expect(await execute(s, recordParkedProgress(s, id, progress, 'w1'))).toBe(false);
    expect(await execute(s, getExecutionRow(s, id))).toMatchObject({ workerId: 'w2', numTurns: 0 });
    expect(await execute(s, recordParkedProgress(s, id, progress, 'w2'))).toBe(true);
    expect(await execute(s, getExecutionRow(s, id))).toMatchObject({
      status: 'awaiting_approval',
      lastActivityAt: T + 2_000,
      workerId: null,
      ...progress,
    });
  });

  it('at start-up ends exactly the runs left without a process, dated at their last activity', async () => {
    const s = store();
    // A first start-up ends what the earlier tests left running.
    await transaction(s, interruptUnfinishedExecutions);
    const agentId = await agentIn(s);
    const running = await insertRun(s, agentId, { status: 'running', startedAt: T, lastActivityAt: T + 500 });
    const neverStarted = await insertRun(s, agentId, { status: 'queued', createdAt: T + 1 });
    const waitingRetry = await insertRun(s, agentId, {
      status: 'queued',
      startedAt: T,
      nextAttemptAt: T + 9_000,
    });
    const handedBack = await insertRun(s, agentId, {
      status: 'queued',
      handedBack: { at: T + 5, attempt: 2, from: { kind: 'prompt' } },
    });
    const done = await insertRun(s, agentId, { status: 'completed', finishedAt: T + 100 });
    const parked = await insertRun(s, agentId, { status: 'awaiting_approval' });
    await s.db.insert(s.t.executionAttempts).values({
      executionId: handedBack,
      attempt: 1,
      status: 'queued',
      startedAt: T,
      finishedAt: T + 5,
      errorCode: 'handed_back',
    });

    const interrupted = await transaction(s, interruptUnfinishedExecutions);
    expect(interrupted).toEqual([running, neverStarted, waitingRetry]);
    expect(await execute(s, getExecutionRow(s, running))).toMatchObject({
      status: 'interrupted',
      errorCode: 'interrupted',
      finishedAt: T + 500,
      durationMs: 500,
      errorMessage: `The server stopped during the run; last activity at ${new Date(T + 500).toISOString()}`,
    });
    expect(await execute(s, getExecutionRow(s, neverStarted))).toMatchObject({
      status: 'interrupted',
      finishedAt: T + 1,
      durationMs: null,
    });
    expect(await execute(s, getExecutionRow(s, waitingRetry))).toMatchObject({
      status: 'interrupted',
      nextAttemptAt: null,
    });
    for (const [id, status] of [
      [handedBack, 'queued'],
      [done, 'completed'],
      [parked, 'awaiting_approval'],
    ] as const)
      expect((await execute(s, getExecutionRow(s, id)))?.status).toBe(status);

    const revived = await execute(s, handedBackExecutions(s));
    expect(revived.map((row) => [row.id, row.handedBack])).toEqual([
      [handedBack, { at: T + 5, attempt: 2, from: { kind: 'prompt' } }],
    ]);
    expect(await execute(s, countHandedBackAttempts(s, handedBack))).toBe(1);
    expect(await execute(s, countHandedBackAttempts(s, running))).toBe(0);
    // A second start finds nothing left to end.
    expect(await transaction(s, interruptUnfinishedExecutions)).toEqual([]);
  });

  it('wakes the parked runs whose calls were all answered while the server was down', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const answered = await insertRun(s, agentId, { status: 'awaiting_approval' });
    const stillWaiting = await insertRun(s, agentId, { status: 'awaiting_approval' });
    const approval = (executionId: number, n: number, status: 'pending' | 'allowed') =>
      execute(
        s,
        insertApproval(s, {
          executionId,
          agentId,
          toolUseId: `toolu_${n}`,
          toolName: 'Bash',
          input: {},
          inputHash: `h${n}`,
          title: null,
          reason: null,
          suggestions: [],
          requestedAt: T,
          expiresAt: T + 60_000,
          onTimeout: 'deny',
          status,
        }),
      );
    await approval(answered, 1, 'allowed');
    await approval(stillWaiting, 2, 'allowed');
    await approval(stillWaiting, 3, 'pending');
    const before = await execute(s, awaitingRunsWithoutPendingApproval(s));
    expect(before).toContain(answered);
    expect(before).not.toContain(stillWaiting);
  });

  it('finds a continue chain’s first run and lists the chain oldest first with its total cost', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const root = await insertRun(s, agentId, { status: 'completed', costMicros: 1_000_000 });
    const child = await insertRun(s, agentId, {
      status: 'completed',
      trigger: 'continue',
      parentExecutionId: root,
      costMicros: 250_000,
    });
    const fork = await insertRun(s, agentId, {
      status: 'failed',
      trigger: 'continue',
      parentExecutionId: root,
      forked: true,
      costMicros: 5,
    });
    const grandchild = await insertRun(s, agentId, {
      status: 'running',
      trigger: 'continue',
      parentExecutionId: child,
      costMicros: 2,
    });
    const unrelated = await insertRun(s, agentId, { costMicros: 99 });

    expect(await execute(s, chainRootOf(s, grandchild))).toBe(root);
    expect(await execute(s, chainRootOf(s, root))).toBe(root);
    expect(await execute(s, chainRootOf(s, unrelated))).toBe(unrelated);
    const chain = await execute(s, getExecutionChain(s, grandchild));
    expect(chain.rootId).toBe(root);
    expect(
      chain.executions.map(({ id, parentExecutionId, forked }) => [id, parentExecutionId, forked]),
    ).toEqual([
      [root, null, false],
      [child, root, false],
      [fork, root, true],
      [grandchild, child, false],
    ]);
    expect(chain.executions[3]).toMatchObject({ status: 'running', trigger: 'continue', costUsd: 0.000002 });
    expect(chain.totalCostUsd).toBe(1.250007);
    expect((await execute(s, getExecutionChain(s, unrelated))).executions.map(({ id }) => id)).toEqual([
      unrelated,
    ]);
  });

  it('records a run’s denied calls and warnings, counts its tool calls, and sums an agent’s denials by tool', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const clean = await insertRun(s, agentId);
    const denied = await insertRun(s, agentId);
    const denial = (toolName: string, n: number): DenialDto => ({
      toolName,
      toolUseId: `toolu_${n}`,
      reason: 'policy',
      message: 'not allowed',
      hint: null,
      input: 'rm -rf /',
      at: T + n,
    });
    const findings = {
      deniedToolCalls: 3,
      denials: [denial('Bash', 1), denial('Write', 2), denial('Bash', 3)],
      warnings: [{ code: 'all_tool_calls_denied' as const, message: 'Every tool call was denied.' }],
    };
    await execute(s, recordRunFindings(s, denied, findings));
    expect(await execute(s, getExecutionDetail(s, denied))).toMatchObject(findings);
    expect(await execute(s, agentDenialSummary(s, agentId))).toEqual({
      runs: 2,
      runsWithDenials: 1,
      deniedToolCalls: 3,
      tools: [
        { toolName: 'Bash', count: 2 },
        { toolName: 'Write', count: 1 },
      ],
    });
    // Only the newest run counted: the clean one is older.
    expect((await execute(s, agentDenialSummary(s, agentId, 1))).runs).toBe(1);

    await writeOutput(s, clean, 12); // tool_use steps at seq 1 and 7
    await s.db.insert(s.t.executionSteps).values({
      executionId: clean,
      seq: 13,
      kind: 'tool_use',
      summary: 'answer',
      toolName: 'StructuredOutput',
      toolUseId: 'toolu_so',
      payload: {},
      createdAt: T,
    });
    expect(await execute(s, countToolCalls(s, clean))).toBe(2);
    expect(await execute(s, countToolCalls(s, denied))).toBe(0);
  });

  it('reads a run’s cost records per model, its resources, and the live list: every active run and the newest', async () => {
    const s = store();
    const agentId = await agentIn(s);
    const oldActive = await insertRun(s, agentId, { status: 'awaiting_approval' });
    const ended = [];
    for (let n = 0; n < 4; n += 1) ended.push(await insertRun(s, agentId, { status: 'completed' }));
    await s.db.insert(s.t.costTracking).values(
      ['claude-b', 'claude-a'].map((model, n) => ({
        executionId: oldActive,
        agentId,
        model,
        inputTokens: 10 + n,
        costMicros: 2_000_000 + n,
        reportedCostMicros: 7,
        unpriced: n === 1,
        createdAt: T,
        updatedAt: T,
      })),
    );
    const records = await execute(s, getExecutionCostRecords(s, oldActive));
    // By model, whatever order they were first written in: the order the run page and the API show.
    expect(records.map(({ model, costMicros, unpriced }) => [model, costMicros, unpriced])).toEqual([
      ['claude-a', 2_000_001, true],
      ['claude-b', 2_000_000, false],
    ]);
    expect(records[0]).not.toHaveProperty('executionId');
    const detail = await execute(s, getExecutionDetailWithResources(s, oldActive));
    expect(
      detail?.costs.map(({ model, costUsd, reportedCostUsd }) => [model, costUsd, reportedCostUsd]),
    ).toEqual([
      ['claude-a', 2.000001, 0.000007],
      ['claude-b', 2, 0.000007],
    ]);
    expect(detail?.resources).toMatchObject({ samples: [] });

    const list = await execute(s, listRecentAndActive(s, 2));
    const ids = list.map(({ id }) => id);
    expect(ids.slice(0, 2)).toEqual([ended[3], ended[2]]);
    expect(ids).toContain(oldActive);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
