import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { createLogger, type Logger } from '../../src/lib/core/logger';
import type { Db, DbConnection } from '../../src/lib/db';
import { type Plan, runOnSqlite } from '../../src/lib/db/plan';
import { createAgent, getAgentById } from '../../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../../src/lib/db/queries/executions';
import { executions } from '../../src/lib/db/schema';
import { type Store, sqliteStore } from '../../src/lib/db/store';
import type { RunLauncher, RunRefusal, ScheduleTarget, StartedRun } from '../../src/lib/scheduling/launcher';
import type { SchedulerClock } from '../../src/lib/scheduling/scheduler';
import { SecretMasker } from '../../src/lib/security/secrets';
import type { WorkflowRunner } from '../../src/lib/workflows/runner';
import { planGiving } from './plans';

/** A clock the test moves by hand; timers are recorded, and run only when the test says so. */
export class ManualClock implements SchedulerClock {
  timers: { callback: () => unknown; ms: number; handle: number }[] = [];
  private nextHandle = 1;

  constructor(public time: number) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => unknown, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.push({ callback, ms, handle });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.handle !== handle);
  }

  /** The one armed timer (the scheduler keeps at most one). */
  armed(): { callback: () => unknown; ms: number } | undefined {
    return this.timers.at(-1);
  }

  /** The armed timer goes off, as a real one would: once, and gone. Resolves when its tick and re-arm are done. */
  async fire(): Promise<void> {
    const timer = this.timers.pop();
    if (!timer) throw new Error('no timer armed');
    await timer.callback();
  }
}

/**
 * The engine side of the port on either dialect: runs are real `executions` rows inserted in the
 * scheduler's transaction; `admit` only notes them (the tests count rows and admissions).
 */
export class StoreLauncher implements RunLauncher {
  /** Executions admitted, by id. */
  admitted: number[] = [];
  /** Runs written in a claim that rolled back. */
  discarded: StartedRun[] = [];
  refuse: ((target: ScheduleTarget) => RunRefusal | null) | null = null;

  refusal(_tx: Store, target: ScheduleTarget): Plan<RunRefusal | null> {
    return planGiving(this.refuse?.(target) ?? null);
  }

  *createRun(tx: Store, scheduleId: number, target: ScheduleTarget, _now: number): Plan<StartedRun> {
    if (target.kind !== 'agent') throw new Error('StoreLauncher runs agents');
    const agent = yield* getAgentById(tx, target.agentId);
    if (!agent) throw new Error(`agent ${target.agentId} vanished`);
    const executionId = yield* insertQueuedExecution(tx, {
      agentId: agent.id,
      prompt: target.prompt ?? agent.defaultPrompt,
      model: agent.model,
      trigger: 'schedule',
      scheduleId,
    });
    return { kind: 'agent', executionId };
  }

  admit(run: StartedRun): void {
    if (run.kind === 'agent') this.admitted.push(run.executionId);
  }

  discard(run: StartedRun): void {
    this.discarded.push(run);
  }
}

/**
 * The engine side of the port, on the real SQLite database. Like the engine with an agent limit of
 * one, `admit` starts a run (marks it running) unless another run of its agent is running; then it
 * waits queued. A workflow target goes to the real workflow runner given (driven by a TestEngine,
 * tests/helpers/workflowEngine.ts).
 */
export class DbLauncher extends StoreLauncher {
  /** Workflow runs admitted, by id. */
  admittedWorkflowRuns: number[] = [];
  failAdmit = false;

  constructor(
    private readonly db: DbConnection,
    private readonly workflows?: WorkflowRunner,
  ) {
    super();
  }

  override *refusal(tx: Store, target: ScheduleTarget): Plan<RunRefusal | null> {
    const refused = yield* super.refusal(tx, target);
    if (refused || target.kind === 'agent') return refused;
    const budget = yield* this.requireWorkflows().refusal(tx, target.workflowId);
    return budget && { outcome: 'refused_budget', reason: budget.message };
  }

  override *createRun(tx: Store, scheduleId: number, target: ScheduleTarget, now: number): Plan<StartedRun> {
    if (target.kind === 'agent') return yield* super.createRun(tx, scheduleId, target, now);
    const request = { input: target.input, trigger: 'schedule' as const, scheduleId };
    return {
      kind: 'workflow',
      workflowRunId: yield* this.requireWorkflows().createRun(tx, target.workflowId, request, now),
    };
  }

  override admit(run: StartedRun): void {
    if (this.failAdmit) throw new Error('simulated crash between commit and admit');
    if (run.kind === 'workflow') {
      this.admittedWorkflowRuns.push(run.workflowRunId);
      this.requireWorkflows().admitRun(run.workflowRunId);
      return;
    }
    super.admit(run);
    const row = this.db.select().from(executions).where(eq(executions.id, run.executionId)).get();
    if (row) startNextQueued(this.db, row.agentId);
  }

  private requireWorkflows(): WorkflowRunner {
    if (!this.workflows) throw new Error('give DbLauncher a workflow runner for workflow targets');
    return this.workflows;
  }
}

function startNextQueued(db: Db, agentId: number): void {
  const ofAgent = db
    .select()
    .from(executions)
    .where(eq(executions.agentId, agentId))
    .orderBy(executions.id)
    .all();
  if (ofAgent.some((run) => run.status === 'running')) return;
  const next = ofAgent.find((run) => run.status === 'queued');
  if (next) db.update(executions).set({ status: 'running' }).where(eq(executions.id, next.id)).run();
}

/** A run ends; the agent's next queued run starts, as the engine's queue would do. */
export function finishRun(db: Db, executionId: number): void {
  const run = db.select().from(executions).where(eq(executions.id, executionId)).get();
  if (!run) throw new Error(`no execution ${executionId}`);
  db.update(executions).set({ status: 'completed' }).where(eq(executions.id, executionId)).run();
  startNextQueued(db, run.agentId);
}

export function createTestAgent(db: Db, name = `agent-${Math.random().toString(36).slice(2)}`) {
  return runOnSqlite(
    createAgent(sqliteStore(db), { name, model: 'claude-sonnet-4-5', defaultPrompt: 'Report the weather.' }),
  );
}

/** A logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination, masker: new SecretMasker([]) });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
