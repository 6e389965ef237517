import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { CronExpressionParser } from 'cron-parser';
import { createLogger } from '../src/lib/core/logger';
import { startCheckpointer } from '../src/lib/db/checkpointer';
import { onSqlite, runOnSqlite } from '../src/lib/db/plan';
import { createAgent } from '../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../src/lib/db/queries/executions';
import { executions } from '../src/lib/db/schema';
import { sqliteStore } from '../src/lib/db/store';
import { compileCron } from '../src/lib/scheduling/cron';
import type { RunLauncher } from '../src/lib/scheduling/launcher';
import { Scheduler } from '../src/lib/scheduling/scheduler';
import { SecretMasker } from '../src/lib/security/secrets';
import { planGiving } from '../tests/helpers/plans';
import { createTestDb } from '../tests/helpers/testDb';
import type { BenchResult } from './measure';
import { sized } from './smoke';

const SCHEDULES = sized(10_000, 200);
const DUE = sized(100, 10);
const TICK_RUNS = sized(200, 3);
/**
 * Untimed ticks before the timed ones, for the tick and its naive baseline alike: the first ~50
 * ticks of a process run before V8 has optimized the tick's code (~6 ms against ~3.5 ms after,
 * measured), and a server's tick runs every slot for days. The cron-parser baseline, at ~0.6 s a
 * tick, gets fewer.
 */
const TICK_WARM_UPS = 50;
const NAIVE_PARSER_WARM_UPS = 3;
/** A Friday noon in November, so no zone of the mix is inside a DST change. */
const NOW = Date.UTC(2026, 10, 20, 12);

const EXPRESSIONS = [
  '*/5 * * * *',
  '0 * * * *',
  '0 9 * * 1-5',
  '30 2 * * *',
  '0 0 * * 0',
  '*/15 * * * *',
  '0 */6 * * *',
  '0 12 1 * *',
  '0 30 8 * * 1-5',
  '45 23 * * *',
  '0 0 L * *',
  '0 8 * * 1#1',
  '*/30 * * * * *',
  '15 3,15 * * *',
];
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Asia/Kolkata',
];

interface Row {
  cron_expression: string;
  timezone: string;
  next_run_at: number;
}

/**
 * How long this thread has waited for a CPU (ms), from Linux's schedstat: on a shared machine the
 * wall time includes it. Undefined where there is no such file.
 */
function waitedForCpu(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return undefined;
  }
}

const cpuMsNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
};

interface TimedWithReset extends BenchResult {
  /** The calls' CPU time: the work itself. */
  cpu: BenchResult;
  /** The calls' time waiting for a CPU: the machine's other work, which the wall time includes. */
  waiting: BenchResult;
}

/**
 * Times each call alone, with `reset` (untimed) after each so every call starts from the same
 * state, after `warmUps` untimed calls (V8 compiles a hot function's optimized code only after many
 * calls; a server ticks for days). Also the CPU time each call took (the process's: the checkpointer's thread included) and
 * how long it waited for a CPU: on a shared machine the wall time includes that wait, and the CPU
 * time shows the work itself.
 */
async function timeWithReset(
  name: string,
  runs: number,
  fn: () => unknown,
  reset: () => void,
  warmUps = 1,
): Promise<TimedWithReset> {
  for (let i = 0; i < sized(warmUps, 1); i++) {
    await fn();
    reset();
  }
  const samplesMs: number[] = [];
  const cpuMs: number[] = [];
  const waitingMs: number[] = [];
  for (let i = 0; i < sized(runs, Math.min(runs, 3)); i++) {
    const waitedBefore = waitedForCpu();
    const cpuBefore = cpuMsNow();
    const start = process.hrtime.bigint();
    await fn();
    samplesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpuMs.push(cpuMsNow() - cpuBefore);
    const waitedAfter = waitedForCpu();
    if (waitedBefore !== undefined && waitedAfter !== undefined) waitingMs.push(waitedAfter - waitedBefore);
    reset();
  }
  return {
    name,
    samplesMs,
    cpu: { name: `${name}, CPU time`, samplesMs: cpuMs },
    waiting: { name: `${name}, waiting for a CPU`, samplesMs: waitingMs },
  };
}

/**
 * The scheduler's tick over 10,000 schedules of which 100 are due: it reads only the due ones
 * through the `schedules_due` index and computes the next time for those alone, then claims them
 * (firing rows, queued runs, next slots) in one transaction. The baselines do the same claim after
 * computing every schedule's next time, with cron-parser (as a plain implementation would) and with
 * our own cron (so the index's share shows on its own).
 */
export async function benchScheduler(): Promise<BenchResult[]> {
  const handle = createTestDb();
  const { sqlite, db } = handle;
  // As the server runs it: WAL checkpoints in a worker thread, not inside a tick's commit.
  const checkpointer = startCheckpointer(handle);
  const agent = runOnSqlite(
    createAgent(sqliteStore(db), { name: 'bench', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  const insert = sqlite.prepare(
    `insert into schedules (id, agent_id, cron_expression, timezone, next_run_at, next_fire_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, 0, 0)`,
  );
  const dueIds: number[] = [];
  sqlite.transaction(() => {
    for (let id = 1; id <= SCHEDULES; id++) {
      const expression = EXPRESSIONS[id % EXPRESSIONS.length] ?? '@daily';
      const zone = ZONES[id % ZONES.length] ?? 'UTC';
      const due = id % (SCHEDULES / DUE) === 0;
      const next = due ? NOW : compileCron(expression, zone).nextAfter(NOW);
      insert.run(id, agent.id, expression, zone, next, next);
      if (due) dueIds.push(id);
    }
  })();

  // The engine's side: the execution row its createRun writes, through the same query function.
  const launcher: RunLauncher = {
    refusal: () => planGiving(null),
    *createRun(tx, scheduleId, target, now) {
      if (target.kind !== 'agent') throw new Error('the bench schedules agents');
      const row = { agentId: target.agentId, scheduleId, prompt: target.prompt ?? 'p', model: agent.model };
      return {
        kind: 'agent',
        executionId: yield* insertQueuedExecution(tx, { ...row, trigger: 'schedule', createdAt: now }),
      };
    },
    admit: () => {},
    discard: () => {},
  };
  const silent = createLogger({
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
    masker: new SecretMasker([]),
  });
  const scheduler = new Scheduler({
    store: sqliteStore(db),
    launcher,
    logger: silent,
    clock: { now: () => NOW, setTimeout: () => null, clearTimeout: () => {} },
  });

  const resetDue = sqlite.prepare(
    `update schedules set next_run_at = ?, next_fire_at = ? where id in (${dueIds.join(',')})`,
  );
  const reset = () => {
    sqlite.exec('delete from schedule_firings; delete from executions;');
    resetDue.run(NOW, NOW);
  };
  const tick = async () => assert.equal((await scheduler.tick()).length, DUE);
  const allRows = sqlite.prepare(
    'select cron_expression, timezone, next_run_at from schedules where enabled = 1',
  );
  const naiveTick = (nextOf: (row: Row) => number) => () => {
    for (const row of allRows.all() as Row[]) nextOf(row);
    return tick();
  };
  // A naive scheduler keeps the last run and asks for the next time after it, every tick.
  const withCronParser = (row: Row) =>
    CronExpressionParser.parse(row.cron_expression, {
      tz: row.timezone,
      currentDate: new Date(row.next_run_at - 1),
    })
      .next()
      .getTime();
  const withOurCron = (row: Row) =>
    compileCron(row.cron_expression, row.timezone).nextAfter(row.next_run_at - 1);

  reset();
  const naiveParser = await timeWithReset(
    `naive tick: every schedule's next time (cron-parser)`,
    5,
    naiveTick(withCronParser),
    reset,
    NAIVE_PARSER_WARM_UPS,
  );
  const naiveOurs = await timeWithReset(
    `naive tick: every schedule's next time (our cron)`,
    20,
    naiveTick(withOurCron),
    reset,
    TICK_WARM_UPS,
  );
  const ticked = await timeWithReset(
    `scheduler tick: ${SCHEDULES} schedules, ${DUE} due`,
    TICK_RUNS,
    tick,
    reset,
    TICK_WARM_UPS,
  );

  // The queued execution row a started slot writes: prepared once, against drizzle composing the
  // same insert on every call (what the engine's createRun did before).
  const dueRows = dueIds.map((scheduleId) => ({
    agentId: agent.id,
    scheduleId,
    prompt: 'p',
    model: agent.model,
    trigger: 'schedule' as const,
    status: 'queued' as const,
    createdAt: NOW,
  }));
  const inserts = (insert: (row: (typeof dueRows)[number]) => void) => () =>
    db.transaction(() => dueRows.forEach(insert), { behavior: 'immediate' });
  const composed = await timeWithReset(
    `${DUE} execution rows, drizzle composing each insert`,
    TICK_RUNS,
    inserts((row) => db.insert(executions).values(row).returning({ id: executions.id }).all()),
    reset,
  );
  const prepared = await timeWithReset(
    `${DUE} execution rows, prepared insert (insertQueuedExecution)`,
    TICK_RUNS,
    inserts(({ status: _queued, ...row }) => onSqlite(db, (store) => insertQueuedExecution(store, row))),
    reset,
  );
  await checkpointer.stop();
  handle.sqlite.close();
  return [
    naiveParser,
    naiveOurs,
    { ...ticked, name: `${ticked.name} vs naive (cron-parser)`, baseline: naiveParser },
    { ...ticked, name: `${ticked.name} vs naive (our cron)`, baseline: naiveOurs },
    ticked.cpu,
    ticked.waiting,
    composed,
    { ...prepared, baseline: composed },
  ];
}
