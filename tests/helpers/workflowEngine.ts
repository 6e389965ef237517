import { eq } from 'drizzle-orm';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { WorkflowDefinitionInput } from '../../src/lib/contracts/workflows';
import { workflowDefinitionSchema } from '../../src/lib/contracts/workflows';
import { assertNoIssues, notFound } from '../../src/lib/core/errors';
import { createLogger, type Logger } from '../../src/lib/core/logger';
import type { Db, DbHandle } from '../../src/lib/db';
import { runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { createAgent, listLiveAgentIds } from '../../src/lib/db/queries/agents';
import { insertWorkflow } from '../../src/lib/db/queries/workflows';
import { insertedRow } from '../../src/lib/db/returning';
import { executions } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { SecretMasker } from '../../src/lib/security/secrets';
import type { EndedExecutionStatus, StepLauncher, StepRefusal } from '../../src/lib/workflows/launcher';
import { WorkflowRunner } from '../../src/lib/workflows/runner';
import { workflowIssues } from '../../src/lib/workflows/validate';

export type RunRequest = Parameters<StepLauncher['createRun']>[1];

/**
 * Plays the run engine for the workflow runner: createRun inserts a real queued execution row,
 * every call is recorded, and the test decides when an execution starts, spends and ends. Like the
 * real engine, stopping a queued execution ends it at once; a running one ends when the test says.
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

  constructor(private readonly db: Db) {}

  refusal(agentId: number): StepRefusal | null {
    return this.refusals.get(agentId) ?? null;
  }

  createRun(tx: Db, request: RunRequest, now: number): number {
    const { id } = insertedRow(
      tx
        .insert(executions)
        .values({
          agentId: request.agentId,
          trigger: 'workflow',
          status: 'queued',
          prompt: request.prompt,
          model: 'claude-sonnet-4-5',
          createdAt: now,
          workflowRunId: request.workflowRunId,
          workflowStepKey: request.stepKey,
        })
        .returning({ id: executions.id })
        .all(),
    );
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
    if (this.statusOf(executionId) === 'queued')
      this.end(executionId, reason === 'budget' ? 'budget_exceeded' : 'cancelled');
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

  statusOf(executionId: number): ExecutionStatus | undefined {
    return this.db
      .select({ status: executions.status })
      .from(executions)
      .where(eq(executions.id, executionId))
      .get()?.status;
  }

  startStep(stepKey: string, at = Date.now()): void {
    const executionId = this.executionOf(stepKey);
    this.db
      .update(executions)
      .set({ status: 'running', startedAt: at })
      .where(eq(executions.id, executionId))
      .run();
    this.requireRunner().onRunStarted({ executionId, startedAt: at });
  }

  spend(stepKey: string, costMicros: number): void {
    this.requireRunner().onSpend({ executionId: this.executionOf(stepKey), costMicros });
  }

  endStep(
    stepKey: string,
    status: EndedExecutionStatus,
    ending: { result?: string; output?: unknown; costMicros?: number } = {},
  ): void {
    this.end(this.executionOf(stepKey), status, ending);
  }

  private end(
    executionId: number,
    status: EndedExecutionStatus,
    { result, output, costMicros = 0 }: { result?: string; output?: unknown; costMicros?: number } = {},
  ): void {
    const resultText = status === 'completed' ? (result ?? `result of execution ${executionId}`) : null;
    this.db
      .update(executions)
      .set({ status, resultText, costMicros, finishedAt: Date.now() })
      .where(eq(executions.id, executionId))
      .run();
    this.requireRunner().onRunEnded({
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

/** A runner wired to a fresh TestEngine, as server.ts will wire it to the real one. */
export function runnerWithEngine(handle: DbHandle, published: number[] = []) {
  const engine = new TestEngine(handle.db);
  const runner = new WorkflowRunner({
    db: handle.db,
    launcher: engine,
    logger: silentLogger(),
    afterCommit: (runId) => published.push(runId),
  });
  engine.runner = runner;
  return { engine, runner };
}

export function makeAgents(handle: DbHandle, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      runOnSqlite(
        createAgent(sqliteStore(handle.db), { name, model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
      ).id,
    ]),
  );
}

/**
 * Saves a workflow for a test of what runs it, synchronously (the runner's tests are): the checks of
 * validate.ts against the live agents, then the insert. `structured`: agents that return structured
 * output. The service the API saves through (async, with the name check) has its own tests:
 * tests/unit/workflowValidation.test.ts, tests/dialects/workflowDefinitions.test.ts.
 */
export function saveWorkflow(
  handle: DbHandle,
  draft: WorkflowDefinitionInput,
  structured: readonly number[] = [],
) {
  const definition = workflowDefinitionSchema.parse(draft);
  const liveAgentIds = runOnSqlite(listLiveAgentIds(sqliteStore(handle.db)));
  assertNoIssues(
    workflowIssues(definition, {
      liveAgentIds,
      hasStructuredOutput: (agentId) => structured.includes(agentId),
    }),
  );
  return transactionOnSqlite(handle.db, (tx) => insertWorkflow(tx, definition, Date.now()));
}
