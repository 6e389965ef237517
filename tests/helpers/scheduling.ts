import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/lib/db';
import { createAgent, getAgentById } from '../../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../../src/lib/db/queries/executions';
import { executions } from '../../src/lib/db/schema';
import { createLogger, type Logger } from '../../src/lib/logger';
import type { RunLauncher, RunRefusal, RunRequest } from '../../src/lib/scheduling/launcher';
import type { SchedulerClock } from '../../src/lib/scheduling/scheduler';
import { SecretMasker } from '../../src/lib/security/secrets';

/** A clock the test moves by hand; timers are recorded, and run only when the test says so. */
export class ManualClock implements SchedulerClock {
  timers: { callback: () => void; ms: number; handle: number }[] = [];
  private nextHandle = 1;

  constructor(public time: number) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.push({ callback, ms, handle });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.handle !== handle);
  }

  /** The one armed timer (the scheduler keeps at most one). */
  armed(): { callback: () => void; ms: number } | undefined {
    return this.timers.at(-1);
  }

  /** The armed timer goes off, as a real one would: once, and gone. */
  fire(): void {
    const timer = this.timers.pop();
    if (!timer) throw new Error('no timer armed');
    timer.callback();
  }
}

/**
 * The engine side of the port, on the real database: runs are real `executions` rows inserted in
 * the scheduler's transaction. Like the engine with an agent limit of one, `admit` starts a run
 * (marks it running) unless another run of its agent is running; then it waits queued.
 */
export class DbLauncher implements RunLauncher {
  admitted: number[] = [];
  refuse: ((agentId: number) => RunRefusal | null) | null = null;
  failAdmit = false;

  constructor(private readonly db: Db) {}

  refusal(agentId: number): RunRefusal | null {
    return this.refuse?.(agentId) ?? null;
  }

  createRun(tx: Db, request: RunRequest): number {
    const agent = getAgentById(tx, request.agentId);
    if (!agent) throw new Error(`agent ${request.agentId} vanished`);
    return insertQueuedExecution(tx, {
      agentId: agent.id,
      prompt: request.prompt ?? agent.defaultPrompt,
      model: agent.model,
      trigger: 'schedule',
      scheduleId: request.scheduleId,
    });
  }

  admit(executionId: number): void {
    if (this.failAdmit) throw new Error('simulated crash between commit and admit');
    this.admitted.push(executionId);
    const run = this.db.select().from(executions).where(eq(executions.id, executionId)).get();
    if (run) startNextQueued(this.db, run.agentId);
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
  return createAgent(db, { name, model: 'claude-sonnet-4-5', defaultPrompt: 'Report the weather.' });
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
