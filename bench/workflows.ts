import { workflowDefinitionSchema } from '../src/lib/contracts/workflows';
import type { DbHandle } from '../src/lib/db';
import { transaction } from '../src/lib/db/plan';
import {
  findStepByExecution,
  getWorkflowRunStepRows,
  lockWorkflowRunRow,
  updateRunStep,
  updateWorkflowRun,
} from '../src/lib/db/queries/workflowRuns';
import { getWorkflowVersion } from '../src/lib/db/queries/workflows';
import { sqliteStore } from '../src/lib/db/store';
import { layoutWorkflow } from '../src/lib/workflows/layout';
import { planSteps } from '../src/lib/workflows/plan';
import { createTestDb } from '../tests/helpers/testDb';
import { makeAgents, runnerWithEngine, saveWorkflow } from '../tests/helpers/workflowEngine';
import { type BenchResult, timeIt, timeItAsync } from './measure';
import { sized } from './smoke';

const SPEND_EVENTS = sized(5_000, 50);
const STEPS = 50;

/** The widest graph a workflow may be: a root, 48 steps fanned out from it, and one that merges them. */
function fanSteps(agentId: number) {
  const middle = Array.from({ length: STEPS - 2 }, (_, i) => ({
    key: `s${i}`,
    agentId,
    prompt: `check part ${i} of {{steps.root.result}}`,
    dependsOn: ['root'],
  }));
  return [
    { key: 'root', agentId, prompt: 'list the parts' },
    ...middle,
    {
      key: 'merge',
      agentId,
      prompt: 'merge',
      dependsOn: middle.map((step) => step.key),
      runIf: 'always' as const,
    },
  ];
}

/**
 * onSpend runs on every usage event of every run: one indexed read and two prepared updates. The
 * baseline is the same change through the general path (load the run, its steps and its
 * definition, then composed updates), which is what every other event uses.
 */
async function benchSpend(handle: DbHandle): Promise<BenchResult[]> {
  const store = sqliteStore(handle.db);
  const agentId = (await makeAgents(store, ['bench'])).bench ?? 0;
  const workflow = await saveWorkflow(store, {
    name: 'spend',
    maxCostUsd: 1_000,
    maxParallel: 8,
    steps: fanSteps(agentId),
  });
  const { engine, runner } = runnerWithEngine(store);
  const run = await runner.start(workflow.id, { trigger: 'manual' });
  await engine.startStep('root');
  const executionId = engine.executionOf('root');
  let cost = 0;
  const live = await timeItAsync(
    `workflows: onSpend of a step (${SPEND_EVENTS} events)`,
    SPEND_EVENTS,
    () => {
      cost += 10;
      return runner.onSpend({ executionId, costMicros: cost });
    },
  );
  const baseline = await timeItAsync(
    '  baseline: load run + steps + definition, composed updates',
    SPEND_EVENTS,
    () => {
      cost += 10;
      return transaction(store, function* (tx) {
        const step = yield* findStepByExecution(tx, executionId);
        const row = yield* lockWorkflowRunRow(tx, run.id);
        if (!step || !row) throw new Error('bench run vanished');
        yield* getWorkflowRunStepRows(tx, run.id);
        yield* getWorkflowVersion(tx, row.workflowId, row.workflowVersion);
        yield* updateRunStep(tx, run.id, step.stepKey, { spendMicros: cost });
        yield* updateWorkflowRun(tx, run.id, { error: null });
      });
    },
  );
  return [{ ...live, baseline }, baseline];
}

/** A whole 50-step run, every event through the runner and SQLite: what the engine's callbacks cost. */
async function benchWholeRun(handle: DbHandle): Promise<BenchResult> {
  const store = sqliteStore(handle.db);
  const agentId = (await makeAgents(store, ['whole'])).whole ?? 0;
  const workflow = await saveWorkflow(store, { name: 'whole', maxParallel: 8, steps: fanSteps(agentId) });
  const name = `workflows: a ${STEPS}-step fan-out run, start to end (${STEPS * 2 + 1} events)`;
  return timeItAsync(name, 30, async () => {
    const { engine, runner } = runnerWithEngine(store);
    await runner.start(workflow.id, { trigger: 'manual' });
    // Ending a step launches the next ones, appended to `created`: end them in launch order.
    for (let i = 0; i < engine.created.length; i++) {
      const key = engine.created[i]?.request.stepKey ?? '';
      await engine.startStep(key);
      await engine.endStep(key, 'completed', { result: 'ok', costMicros: 100 });
    }
  });
}

function benchPureParts(): BenchResult[] {
  const definition = workflowDefinitionSchema.parse({ name: 'pure', maxParallel: 8, steps: fanSteps(1) });
  const statuses = new Map(
    definition.steps.map((step) => [step.key, step.key === 'root' ? 'completed' : 'pending'] as const),
  );
  return [
    timeIt(`workflows: plan the next steps of ${STEPS}`, 2_000, () => {
      planSteps(definition, statuses);
    }),
    timeIt(`workflows: lay out ${STEPS} steps (dagre)`, 100, () => {
      layoutWorkflow(definition.steps);
    }),
  ];
}

export async function benchWorkflows(): Promise<BenchResult[]> {
  const handle = createTestDb();
  try {
    return [...(await benchSpend(handle)), await benchWholeRun(handle), ...benchPureParts()];
  } finally {
    handle.sqlite.close();
  }
}
