import { expect, it } from 'vitest';
import { execute, transaction } from '../../src/lib/db/plan';
import {
  cancelPendingApprovals,
  type DecisionWrite,
  getApproval,
  getApprovalRow,
  insertApproval,
  latestAnsweredApproval,
  listApprovals,
  listPendingApprovals,
  markApprovalUsed,
  pendingApprovalsOf,
  recordDecision,
  unusedAllowsOf,
} from '../../src/lib/db/queries/approvals';
import type { NewApproval } from '../../src/lib/db/schema';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect, insertAgent, insertRun } from '../helpers/stores';

// The approval queries the engine's desk, the inbox and the API read and write, on both dialects.

const T = 1_800_000_000_000;

function request(executionId: number, agentId: number, n: number): NewApproval {
  return {
    executionId,
    agentId,
    toolUseId: `toolu_${n}`,
    toolName: 'Bash',
    input: { command: `echo ${n}` },
    inputHash: `hash-${n}`,
    title: null,
    reason: null,
    suggestions: [
      { type: 'addRules', behavior: 'allow', rules: [{ toolName: 'Bash', ruleContent: 'echo:*' }] },
    ],
    requestedAt: T + n,
    expiresAt: T + n + 60_000,
    onTimeout: 'deny',
    status: 'pending',
  };
}

const allow = (at: number): DecisionWrite => ({
  status: 'allowed',
  decision: 'allow',
  decidedAt: at,
  decidedVia: 'session',
  decidedChannel: 'console',
  message: null,
  updatedInput: null,
  rememberedRules: [],
});

async function setUp(store: Store) {
  const agentId = await insertAgent(store, `agent ${Math.random()}`);
  const runA = await insertRun(store, agentId, { status: 'awaiting_approval' });
  const runB = await insertRun(store, agentId);
  const open = (executionId: number, n: number) =>
    execute(store, insertApproval(store, request(executionId, agentId, n)));
  return { agentId, runA, runB, open };
}

describeOnEachDialect('approvals', (store) => {
  it('records a request and reads it back as the API shows it, with the agent’s name and the suggested rule', async () => {
    const { runA, open } = await setUp(store());
    const row = await open(runA, 1);
    expect(row).toMatchObject({ executionId: runA, status: 'pending', input: { command: 'echo 1' } });
    const dto = await execute(store(), getApproval(store(), row.id));
    expect(dto).toMatchObject({
      id: row.id,
      agentName: expect.stringMatching(/^agent /),
      suggestedRules: ['Bash(echo:*)'],
      status: 'pending',
      decision: null,
    });
    expect(await execute(store(), getApproval(store(), row.id + 1_000))).toBe(undefined);
  });

  it('takes the first answer only, and tells the second it came too late', async () => {
    const { runA, open } = await setUp(store());
    const { id } = await open(runA, 2);
    const [first, second] = await Promise.all([
      transaction(store(), (tx) => recordDecision(tx, id, allow(T + 10))),
      transaction(store(), (tx) =>
        recordDecision(tx, id, { ...allow(T + 11), status: 'denied', decision: 'deny' }),
      ),
    ]);
    expect([first, second].sort()).toEqual([false, true]);
    const row = await execute(store(), getApprovalRow(store(), id));
    expect(row?.status).toBe(first ? 'allowed' : 'denied');
    expect((await execute(store(), getApproval(store(), id)))?.decision).toMatchObject({
      decidedVia: 'session',
      decidedChannel: 'console',
    });
  });

  it('lists a run’s pending calls, its unused allows and its latest answer; an allow is good once', async () => {
    const { runA, runB, open } = await setUp(store());
    const answered = await open(runA, 3);
    const waiting = await open(runA, 4);
    await open(runB, 5);
    await execute(store(), recordDecision(store(), answered.id, allow(T + 20)));

    expect((await execute(store(), pendingApprovalsOf(store(), runA))).map(({ id }) => id)).toEqual([
      waiting.id,
    ]);
    expect((await execute(store(), unusedAllowsOf(store(), runA))).map(({ id }) => id)).toEqual([
      answered.id,
    ]);
    expect((await execute(store(), latestAnsweredApproval(store(), runA)))?.id).toBe(waiting.id);

    await execute(store(), markApprovalUsed(store(), answered.id, T + 30));
    expect(await execute(store(), unusedAllowsOf(store(), runA))).toEqual([]);
    expect((await execute(store(), getApprovalRow(store(), answered.id)))?.consumedAt).toBe(T + 30);
  });

  it('cancels what a run still waited for, and nothing of other runs', async () => {
    const { runA, runB, open } = await setUp(store());
    const one = await open(runA, 6);
    const two = await open(runA, 7);
    const other = await open(runB, 8);
    expect((await execute(store(), cancelPendingApprovals(store(), runA, T + 40))).sort()).toEqual(
      [one.id, two.id].sort(),
    );
    expect(await execute(store(), pendingApprovalsOf(store(), runA))).toEqual([]);
    expect((await execute(store(), getApprovalRow(store(), two.id)))?.status).toBe('cancelled');
    expect((await execute(store(), getApprovalRow(store(), other.id)))?.status).toBe('pending');
    expect(await execute(store(), cancelPendingApprovals(store(), runA, T + 41))).toEqual([]);
  });

  it('pages newest first by id, filters by status and run, and counts those still pending', async () => {
    const { runA, runB, open } = await setUp(store());
    const mine = [await open(runA, 9), await open(runA, 10), await open(runA, 11)];
    await open(runB, 12);
    await execute(store(), recordDecision(store(), mine[0]?.id ?? 0, allow(T + 50)));

    const page = await execute(store(), listApprovals(store(), { executionId: runA, limit: 2 }));
    expect(page.items.map(({ id }) => id)).toEqual([mine[2]?.id, mine[1]?.id]);
    expect(page.nextBefore).toBe(mine[1]?.id);
    const next = await execute(
      store(),
      listApprovals(store(), { executionId: runA, limit: 2, before: page.nextBefore ?? 0 }),
    );
    expect(next.items.map(({ id }) => id)).toEqual([mine[0]?.id]);
    expect(next.nextBefore).toBe(null);

    const pending = await execute(store(), listPendingApprovals(store()));
    expect(page.counts.pending).toBe(pending.length);
    expect(pending.every(({ status }) => status === 'pending')).toBe(true);
    expect(pending.map(({ id }) => id)).toEqual([...pending.map(({ id }) => id)].sort((a, b) => a - b));
    const allowed = await execute(store(), listApprovals(store(), { status: 'allowed', limit: 100 }));
    expect(allowed.items.map(({ id }) => id)).toContain(mine[0]?.id);
    expect(allowed.items.every(({ status }) => status === 'allowed')).toBe(true);
  });
});
