import { eq } from 'drizzle-orm';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { WorkflowDefinitionInput } from '../../src/lib/contracts/workflows';
import { workflowDefinitionSchema } from '../../src/lib/contracts/workflows';
import { assertNoIssues, notFound } from '../../src/lib/core/errors';
import { createLogger, type Logger } from '../../src/lib/core/logger';
import { execute, type Plan, transaction } from '../../src/lib/db/plan';
import { createAgent, listLiveAgentIds } from '../../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../../src/lib/db/queries/executions';
import { insertWorkflow } from '../../src/lib/db/queries/workflows';
import type { Store } from '../../src/lib/db/store';
import { SecretMasker } from '../../src/lib/security/secrets';
import type { EndedExecutionStatus, StepLauncher, StepRefusal } from '../../src/lib/workflows/launcher';
import { WorkflowRunner } from '../../src/lib/workflows/runner';
import { workflowIssues } from '../../src/lib/workflows/validate';
import { planGiving } from './plans';

export type RunRequest = Parameters<StepLauncher['createRun']>[1];

/**
 * Plays the run engine for the workflow runner, on either dialect: createRun inserts a real queued
 * execution row in the runner's transaction, every call is recorded, and the test decides when an
 * execution starts, spends and ends (each resolves once the runner has handled it). Like the real
 * engine, stopping a queued execution ends it at once; a running one ends when the test says.
 */
export class TestEngine implements StepLauncher {
  readonly created: { executionId: number; request: RunRequest }[] = [];
  readonly admitted: number[] = [];
  readonly discarded: number[] = [];
  readonly stopped: { executionId: number; reason: 'cancelled' | 'budget'; message: string }[] = [];
  /** Monthly-budget refusals by agent id. */
  readonly refusals = new Map<number, StepRefusal>();
  /** Agents the engine cannot run (deleted): createRun writes its row, then throws, as a failing insert would. */
  readonly deletedAgents = new Set<number>();
  runner: WorkflowRunner | undefined;

  /** Stops the engine was asked for while its run was ending: they end once the runner is done. */
  private stopping: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store) {}

  refusal(_store: Store, agentId: number): Plan<StepRefusal | null> {
    return planGiving(this.refusals.get(agentId) ?? null);
  }

  *createRun(tx: Store, request: RunRequest, now: number): Plan<number> {
    const id = yield* insertQueuedExecution(tx, {
      agentId: request.agentId,
      trigger: 'workflow',
      prompt: request.prompt,
      model: 'claude-sonnet-4-5',
      createdAt: now,
      workflowRunId: request.workflowRunId,
      workflowStepKey: request.stepKey,
    });
    if (this.deletedAgents.has(request.agentId)) throw notFound('Agent');
    this.created.push({ executionId: id, request });
    return id;
  }

  admit(executionId: number): void {
    this.admitted.push(executionId);
  }

  discard(executionId: number): void {
    this.discarded.push(executionId);
  }

  stop(executionId: number, reason: 'cancelled' | 'budget', message: string): void {
    this.stopped.push({ executionId, reason, message });
    const ended = reason === 'budget' ? 'budget_exceeded' : 'cancelled';
    this.stopping = this.stopping.then(async () => {
      if ((await this.statusOf(executionId)) === 'queued') await this.end(executionId, ended);
    });
  }

  /** Resolves once the queued executions `stop` ended (and the stops those endings led to) are handled by the runner. */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.stopping;
      await seen;
    } while (seen !== this.stopping);
  }

  /** The execution of a step (the last one created for that key). */
  executionOf(stepKey: string): number {
    const found = this.created.findLast((entry) => entry.request.stepKey === stepKey);
    if (!found) throw new Error(`step ${stepKey} was never launched`);
    return found.executionId;
  }

  promptOf(stepKey: string): string {
    return this.created.findLast((entry) => entry.request.stepKey === stepKey)?.request.prompt ?? '';
  }

  launchedKeys(): string[] {
    return this.created.map((entry) => entry.request.stepKey);
  }

  async statusOf(executionId: number): Promise<ExecutionStatus | undefined> {
    const { db, t } = this.store;
    const [row] = await db
      .select({ status: t.executions.status })
      .from(t.executions)
      .where(eq(t.executions.id, executionId));
    return row?.status;
  }

  async startStep(stepKey: string, at = Date.now()): Promise<void> {
    const executionId = this.executionOf(stepKey);
    const { db, t } = this.store;
    await db
      .update(t.executions)
      .set({ status: 'running', startedAt: at })
      .where(eq(t.executions.id, executionId));
    await this.requireRunner().onRunStarted({ executionId, startedAt: at });
  }

  async spend(stepKey: string, costMicros: number): Promise<void> {
    await this.requireRunner().onSpend({ executionId: this.executionOf(stepKey), costMicros });
    await this.settled();
  }

  async endStep(
    stepKey: string,
    status: EndedExecutionStatus,
    ending: { result?: string; output?: unknown; costMicros?: number } = {},
  ): Promise<void> {
    await this.end(this.executionOf(stepKey), status, ending);
    await this.settled();
  }

  private async end(
    executionId: number,
    status: EndedExecutionStatus,
    { result, output, costMicros = 0 }: { result?: string; output?: unknown; costMicros?: number } = {},
  ): Promise<void> {
    const resultText = status === 'completed' ? (result ?? `result of execution ${executionId}`) : null;
    const { db, t } = this.store;
    await db
      .update(t.executions)
      .set({ status, resultText, costMicros, finishedAt: Date.now() })
      .where(eq(t.executions.id, executionId));
    await this.requireRunner().onRunEnded({
      executionId,
      status,
      resultText,
      structuredOutput: output,
      costMicros,
    });
  }

  private requireRunner(): WorkflowRunner {
    if (!this.runner) throw new Error('attach a runner first');
    return this.runner;
  }
}

export const silentLogger = (): Logger =>
  createLogger({ level: 'error', destination: { write: () => true }, masker: new SecretMasker([]) });

/** A runner on `store` wired to a fresh TestEngine, as backend.ts wires it to the real one. */
export function runnerWithEngine(store: Store, published: number[] = []) {
  const engine = new TestEngine(store);
  const runner = new WorkflowRunner({
    store,
    launcher: engine,
    logger: silentLogger(),
    afterCommit: (runId) => published.push(runId),
  });
  engine.runner = runner;
  return { engine, runner };
}

export async function makeAgents(store: Store, names: readonly string[]): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const name of names) {
    ids[name] = (
      await execute(store, createAgent(store, { name, model: 'claude-sonnet-4-5', defaultPrompt: 'p' }))
    ).id;
  }
  return ids;
}

/**
 * Saves a workflow for a test of what runs it: the checks of validate.ts against the live agents,
 * then the insert. `structured`: agents that return structured
 * output. The service the API saves through (async, with the name check) has its own tests:
 * tests/unit/workflowValidation.test.ts, tests/dialects/workflowDefinitions.test.ts.
 */
export async function saveWorkflow(
  store: Store,
  draft: WorkflowDefinitionInput,
  structured: readonly number[] = [],
) {
  const definition = workflowDefinitionSchema.parse(draft);
  const liveAgentIds = await execute(store, listLiveAgentIds(store));
  assertNoIssues(
    workflowIssues(definition, {
      liveAgentIds,
      hasStructuredOutput: (agentId) => structured.includes(agentId),
    }),
  );
  return transaction(store, (tx) => insertWorkflow(tx, definition, Date.now()));
}
