import { expect, it } from 'vitest';
import { type WorkflowDefinition, workflowDefinitionSchema } from '../../src/lib/contracts/workflows';
import { execute, transaction } from '../../src/lib/db/plan';
import {
  findStepByExecution,
  getExecutionEnding,
  getWorkflowRun,
  insertWorkflowRun,
  listRecentAndActiveWorkflowRuns,
  listUnfinishedWorkflowRunIds,
  listWorkflowRuns,
  moveStepSpend,
  updateRunStep,
  updateWorkflowRun,
} from '../../src/lib/db/queries/workflowRuns';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect, insertAgent, insertRun } from '../helpers/stores';

// The workflow-run queries the runner, its pages and the API use, on both dialects.

const T = 1_800_000_000_000;

/** A saved workflow (version 1) whose steps are `b` then `a` (not in key order), and its id. */
async function saveWorkflow(
  store: Store,
  name: string,
): Promise<{ id: number; definition: WorkflowDefinition }> {
  const agentId = await insertAgent(store, `${name} agent`);
  const definition = workflowDefinitionSchema.parse({
    name,
    maxCostUsd: 2,
    steps: [
      { key: 'b', agentId, prompt: 'first' },
      { key: 'a', agentId, prompt: 'then', dependsOn: ['b'] },
    ],
  });
  const { db, t } = store;
  const [row] = await db
    .insert(t.workflows)
    .values({ name, version: 1, createdAt: T, updatedAt: T })
    .returning({ id: t.workflows.id });
  if (!row) throw new Error('no workflow');
  await db.insert(t.workflowVersions).values({ workflowId: row.id, version: 1, definition, createdAt: T });
  return { id: row.id, definition };
}

const startRun = (store: Store, workflowId: number, at = T) =>
  execute(
    store,
    insertWorkflowRun(
      store,
      {
        workflowId,
        workflowVersion: 1,
        trigger: 'manual',
        scheduleId: null,
        input: {},
        budgetMicros: 2_000_000,
        createdAt: at,
      },
      ['b', 'a'],
    ),
  );

describeOnEachDialect('workflow runs', (store) => {
  it('writes a run with a pending row per step, and reads it whole, steps in the definition’s order', async () => {
    const { id: workflowId } = await saveWorkflow(store(), 'wf-read');
    const runId = await startRun(store(), workflowId);
    const run = await execute(store(), getWorkflowRun(store(), runId));
    expect(run).toMatchObject({
      id: runId,
      workflowName: 'wf-read',
      status: 'queued',
      stepCount: 2,
      stepsEnded: 0,
      spendUsd: 0,
      budgetUsd: 2,
      input: {},
    });
    expect(run?.steps.map(({ key, status }) => [key, status])).toEqual([
      ['b', 'pending'],
      ['a', 'pending'],
    ]);
    expect(await execute(store(), getWorkflowRun(store(), runId + 1_000))).toBe(undefined);
  });

  it('finds the step an execution is, and moves the run’s spend exactly, one micro-dollar at a time', async () => {
    const { id: workflowId, definition } = await saveWorkflow(store(), 'wf-spend');
    const runId = await startRun(store(), workflowId);
    const agentId = definition.steps[0]?.agentId ?? 0;
    const executionId = await insertRun(store(), agentId, { trigger: 'workflow', workflowRunId: runId });
    await execute(store(), updateRunStep(store(), runId, 'b', { status: 'running', executionId }));

    const step = await execute(store(), findStepByExecution(store(), executionId));
    expect(step).toEqual({ runId, stepKey: 'b', status: 'running', spendMicros: 0 });
    expect(await execute(store(), findStepByExecution(store(), executionId + 1_000))).toBe(undefined);

    let current = step;
    for (const spend of [1, 2, 1_999_999]) {
      if (!current) throw new Error('step vanished');
      const moved = await transaction(store(), (tx) =>
        moveStepSpend(tx, current as NonNullable<typeof step>, spend),
      );
      expect(moved).toEqual({ spendMicros: spend, budgetMicros: 2_000_000, stopping: null });
      current = await execute(store(), findStepByExecution(store(), executionId));
    }
    expect((await execute(store(), getWorkflowRun(store(), runId)))?.spendUsd).toBe(1.999999);
  });

  it('pages runs newest first, by workflow, and lists the unfinished ones and the recent ones whole', async () => {
    const { id: workflowId } = await saveWorkflow(store(), 'wf-list');
    const ids = [
      await startRun(store(), workflowId),
      await startRun(store(), workflowId),
      await startRun(store(), workflowId),
    ];
    await execute(
      store(),
      updateWorkflowRun(store(), ids[0] ?? 0, { status: 'completed', finishedAt: T + 5 }),
    );

    const page = await execute(store(), listWorkflowRuns(store(), { workflowId, limit: 2 }));
    expect(page.items.map(({ id }) => id)).toEqual([ids[2], ids[1]]);
    expect(page.nextBefore).toBe(ids[1]);
    const rest = await execute(
      store(),
      listWorkflowRuns(store(), { workflowId, limit: 2, before: page.nextBefore ?? 0 }),
    );
    expect(rest.items.map(({ id, status }) => [id, status])).toEqual([[ids[0], 'completed']]);

    const unfinished = await execute(store(), listUnfinishedWorkflowRunIds(store()));
    expect(unfinished).toEqual(expect.arrayContaining([ids[1], ids[2]]));
    expect(unfinished).not.toContain(ids[0]);
    expect(unfinished).toEqual([...unfinished].sort((a, b) => a - b));

    const recent = await execute(store(), listRecentAndActiveWorkflowRuns(store(), 1));
    const recentIds = recent.map(({ id }) => id);
    expect(recentIds).toEqual([...recentIds].sort((a, b) => b - a));
    expect(recentIds).toEqual(expect.arrayContaining([ids[1], ids[2]]));
    expect(recent.every((run) => run.steps.length === 2)).toBe(true);
  });

  it('tells how an execution ended, with the larger of its final cost and its live cost rows', async () => {
    const agentId = await insertAgent(store(), 'ending agent');
    const executionId = await insertRun(store(), agentId, {
      status: 'failed',
      errorCode: 'max_turns',
      resultText: 'stopped',
      costMicros: 5,
    });
    const { db, t } = store();
    const cost = (costMicros: number, at: number) =>
      db.insert(t.costTracking).values({
        executionId,
        agentId,
        model: `claude-sonnet-4-5-${at}`,
        costMicros,
        createdAt: at,
        updatedAt: at,
      });
    await cost(3, T);
    await cost(4, T + 1);
    expect(await execute(store(), getExecutionEnding(store(), executionId))).toEqual({
      status: 'failed',
      errorCode: 'max_turns',
      resultText: 'stopped',
      structuredOutput: null,
      costMicros: 7,
    });
    expect(await execute(store(), getExecutionEnding(store(), executionId + 1_000))).toBe(undefined);
  });
});
