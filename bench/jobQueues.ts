// Issue 24's job-queue choice, measured: graphile-worker 0.17 and pg-boss 10.4 (the newest that run
// on Node 20) against a bare `FOR UPDATE SKIP LOCKED` loop with LISTEN/NOTIFY wake-up (the floor),
// one database each on one throw-away cluster. The workload is ClaudeOps': a job starts a run of an
// agent (the key) and the handler holds it like a run; two worker processes claim at once.
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../tests/helpers/postgres';
import {
  type HandlerEvent,
  maxConcurrentPerKey,
  ranTwiceAtOnce,
  runIntervals,
  startsPerId,
} from './jobIntervals';
import {
  GRAPHILE_POLL_MS,
  graphileLeases,
  type KindName,
  kinds,
  NATIVE_CRON,
  PG_BOSS_POLLING_SECONDS,
  type Producer,
  type QueuedJob,
} from './jobQueueKinds';
import type { FromWorker, ToWorker } from './jobQueueWorker';
import { smoke } from './smoke';
import { percentile, preciseNow } from './stats';

const sized = (full: number, tiny: number) => (smoke ? tiny : full);
const PROCESSES = 2;
const CONCURRENCY = 4;
const LATENCY_SAMPLES = sized(40, 5);
const IDLE_WINDOW_MS = sized(5000, 1000);
const THROUGHPUT_JOBS = sized(2000, 60);
/** pg-boss claims one job per poll per worker: 2,000 jobs would take it minutes. */
const PHASE_CAP_MS = sized(60_000, 12_000);
const PER_KEY_JOBS = sized(200, 20);
const PER_KEY_KEYS = 5;
const PER_KEY_HOLD_MS = 20;
const TICK_SECONDS = sized(10, 2);
const PG_BOSS_EXPIRE_SECONDS = sized(10, 2);
const GRAPHILE_DEAD_WAIT_MS = sized(15_000, 2000);

const LABELS: Record<KindName, string> = {
  floor: 'floor (SKIP LOCKED + NOTIFY)',
  graphile: 'graphile-worker 0.17',
  pgboss: 'pg-boss 10.4',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface KindFigures {
  idleQueriesPerSecond: number;
  latencyMs: number[];
  throughput: { done: number; seconds: number };
  perKey: { rule: string; maxPerKey: number; jobsPerSecond: number; done: number }[];
  slots: { fired: number; maxPerSlot: number; twice: number };
  nativeCron?: { fires: number; slots: number; maxPerSlot: number };
  overrunRanTwice?: boolean;
  deadWorker?: { recoveredMs: number | null; afterUnlockMs?: number; ranTwice: boolean };
  load: number[];
}

/** Two worker processes of one library, and what their handlers reported. */
class Fleet {
  readonly events: (HandlerEvent & { task: string })[] = [];
  readonly killedAt = new Map<number, number>();
  private readonly waiters = new Set<() => void>();
  private constructor(readonly children: ChildProcess[]) {
    for (const child of children)
      child.on('message', (message: FromWorker) => {
        if ('at' in message) this.events.push(message);
        for (const check of this.waiters) check();
      });
  }

  static async start(kind: KindName, url: string): Promise<Fleet> {
    const children = Array.from({ length: PROCESSES }, () =>
      fork(path.join(import.meta.dirname, 'jobQueueWorker.ts'), [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, JQ_KIND: kind, JQ_URL: url, JQ_CONCURRENCY: String(CONCURRENCY) },
      }),
    );
    await Promise.all(children.map((child) => reply(child, { type: 'ready' })));
    return new Fleet(children);
  }

  /** Resolves with `find()`'s answer once it has one, re-checked on every message; null at the deadline. */
  until<T>(find: () => T | undefined, timeoutMs: number): Promise<T | null> {
    return new Promise((resolve) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(null);
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  started(id: string, notPid?: number) {
    return this.events.find((e) => e.type === 'start' && e.id === id && e.pid !== notPid);
  }

  ended(ids: ReadonlySet<string>) {
    return this.events.filter((e) => e.type === 'end' && ids.has(e.id));
  }

  alive() {
    return this.children.filter((child) => child.pid !== undefined && !this.killedAt.has(child.pid));
  }

  async queries(): Promise<number> {
    const counts = await Promise.all(
      this.alive().map((child) => reply<{ count: number }>(child, { type: 'queries' }, 'queries')),
    );
    return counts.reduce((sum, { count }) => sum + count, 0);
  }

  async all(message: ToWorker) {
    await Promise.all(this.alive().map((child) => reply(child, message, 'done')));
  }

  kill(child: ChildProcess) {
    if (child.pid === undefined) return;
    this.killedAt.set(child.pid, preciseNow());
    child.kill('SIGKILL');
  }

  async stop() {
    await Promise.all(
      this.alive().map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.send({ type: 'stop' } satisfies ToWorker);
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
  }
}

/** The child's next message of `type` (after sending `message`, if any). */
function reply<T = unknown>(
  child: ChildProcess,
  message: ToWorker | { type: 'ready' },
  type: FromWorker['type'] = message.type as FromWorker['type'],
) {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (answer: FromWorker) => {
      if (answer.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(answer as T);
    };
    const onExit = (code: number | null) => reject(new Error(`a ${type} worker exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message.type !== 'ready') child.send(message);
  });
}

const jobs = (prefix: string, count: number, make: (i: number) => Partial<QueuedJob> = () => ({})) =>
  Array.from(
    { length: count },
    (_, i): QueuedJob => ({ id: `${prefix}-${i}`, key: 'a', holdMs: 0, ...make(i) }),
  );

async function claimLatency(fleet: Fleet, producer: Producer): Promise<number[]> {
  const samples: number[] = [];
  for (const job of jobs('latency', LATENCY_SAMPLES)) {
    // A random gap: an enqueue lands anywhere in a polling worker's cycle, as a user's click does.
    await sleep(Math.random() * 500);
    const enqueuedAt = preciseNow();
    await producer.add([job]);
    const start = await fleet.until(() => fleet.started(job.id), 10_000);
    if (!start) throw new Error(`latency job ${job.id} never started`);
    samples.push(start.at - enqueuedAt);
    await fleet.until(() => (fleet.ended(new Set([job.id])).length > 0 ? true : undefined), 10_000);
  }
  return samples;
}

/** Adds jobs, waits until all ended (or the cap); the jobs done and the seconds from add to the last end. */
async function runBatch(fleet: Fleet, producer: Producer, batch: QueuedJob[]) {
  const ids = new Set(batch.map((job) => job.id));
  const started = preciseNow();
  await producer.add(batch);
  await fleet.until(() => (fleet.ended(ids).length >= ids.size ? true : undefined), PHASE_CAP_MS);
  const ends = fleet.ended(ids);
  await producer.purge();
  const last = Math.max(started, ...ends.map((e) => e.at));
  return { done: ends.length, seconds: (last - started) / 1000, ids };
}

async function perKey(kind: KindName, fleet: Fleet, producer: Producer) {
  if (kind === 'pgboss') await fleet.all({ type: 'workOn', queues: 'lanes' });
  // The floor has no key rule: it shows what the measure sees without one.
  const limits = kind === 'floor' ? [0] : [1, 2];
  const rows: KindFigures['perKey'] = [];
  for (const limit of limits) {
    const batch = jobs(`perkey${limit}`, PER_KEY_JOBS, (i) => {
      const key = `agent-${i % PER_KEY_KEYS}`;
      const lane = limit ? `${key}:${Math.floor(i / PER_KEY_KEYS) % limit}` : undefined;
      return { key, holdMs: PER_KEY_HOLD_MS, lane };
    });
    const { done, seconds, ids } = await runBatch(fleet, producer, batch);
    const intervals = runIntervals(fleet.events.filter((e) => ids.has(e.id)));
    const maxPerKey = Math.max(0, ...maxConcurrentPerKey(intervals).values());
    rows.push({ rule: limit ? `K=${limit}` : 'no rule', maxPerKey, jobsPerSecond: done / seconds, done });
  }
  return rows;
}

async function slots(fleet: Fleet) {
  await fleet.all({ type: 'workOn', queues: 'slots' });
  const [first, second] = fleet.alive();
  if (!first || !second) throw new Error('the slot phase needs two workers');
  // The two processes fire each second 50 and 450 ms after it: the second comes after the first's
  // job ran, as a slower web node's would.
  await Promise.all([
    reply(first, { type: 'tick', seconds: TICK_SECONDS, offsetMs: 50 }, 'done'),
    reply(second, { type: 'tick', seconds: TICK_SECONDS, offsetMs: 450 }, 'done'),
  ]);
  await sleep(1000); // the last slot's jobs reach a polling worker (pg-boss: 0.5 s)
  const fires = [...startsPerId(fleet.events.filter((e) => e.task === 'tick')).values()];
  return { fired: fires.length, maxPerSlot: Math.max(0, ...fires), twice: fires.filter((n) => n > 1).length };
}

function nativeCron(fleet: Fleet) {
  const fires = [...startsPerId(fleet.events.filter((e) => e.task === 'cron')).values()];
  return { fires: fires.reduce((a, b) => a + b, 0), slots: fires.length, maxPerSlot: Math.max(0, ...fires) };
}

/** pg-boss 10 has no heartbeat: a live handler past `expireInSeconds` is failed and retried. */
async function overrun(fleet: Fleet, producer: Producer) {
  const [job] = jobs('overrun', 1, () => ({ holdMs: 3000, expireInSeconds: 1 }));
  if (!job) return false;
  await producer.add([job]);
  await fleet.until(() => fleet.ended(new Set([job.id])).length > 0 || undefined, 8000);
  await sleep(1500); // a retry that started meanwhile
  return ranTwiceAtOnce(runIntervals(fleet.events.filter((e) => e.id === job.id))).length > 0;
}

async function deadWorker(kind: KindName, url: string, fleet: Fleet, producer: Producer) {
  const [job] = jobs('dead', 1, () => ({ holdMs: 120_000, expireInSeconds: PG_BOSS_EXPIRE_SECONDS }));
  if (!job) throw new Error('no job');
  await producer.add([job]);
  const first = await fleet.until(() => fleet.started(job.id), 10_000);
  const victim = fleet.children.find((child) => child.pid === first?.pid);
  if (!first || !victim) throw new Error('the dead-worker job never started');
  const lockedBy = kind === 'graphile' ? await graphileLeases.lockedBy(url, job.id) : null;
  fleet.kill(victim);
  const killedAt = fleet.killedAt.get(first.pid) ?? preciseNow();
  const waitMs = kind === 'pgboss' ? (PG_BOSS_EXPIRE_SECONDS + 5) * 1000 : GRAPHILE_DEAD_WAIT_MS;
  const again = await fleet.until(() => fleet.started(job.id, first.pid), waitMs);
  const figures: NonNullable<KindFigures['deadWorker']> = {
    recoveredMs: again ? again.at - killedAt : null,
    ranTwice: false,
  };
  if (!again && lockedBy) {
    // What ClaudeOps' lease reaper would do once the worker's lease ran out.
    const unlockAt = preciseNow();
    await graphileLeases.unlockDeadWorker(url, lockedBy);
    const after = await fleet.until(() => fleet.started(job.id, first.pid), 10_000);
    if (after) figures.afterUnlockMs = after.at - unlockAt;
  }
  figures.ranTwice =
    ranTwiceAtOnce(
      runIntervals(
        fleet.events.filter((e) => e.id === job.id),
        fleet.killedAt,
      ),
    ).length > 0;
  return figures;
}

/**
 * A full run lets each fleet live through a minute boundary, so graphile-worker's crontab (whole
 * minutes) fires at least once: if none passed yet, the slot phase is placed so that one falls
 * 3 s before it ends.
 */
async function untilAMinuteBoundaryIsNear(fleetStarted: number) {
  const minute = (at: number) => Math.floor(at / 60_000);
  if (minute(Date.now()) > minute(fleetStarted)) return;
  const toBoundary = 60_000 - (Date.now() % 60_000);
  await sleep(Math.max(0, toBoundary - (TICK_SECONDS - 3) * 1000));
}

async function benchKind(kind: KindName, url: string): Promise<KindFigures> {
  await kinds[kind].prepare(url);
  const producer = await kinds[kind].producer(url);
  const fleet = await Fleet.start(kind, url);
  const fleetStarted = Date.now();
  const load: number[] = [];
  const phase = async <T>(work: () => Promise<T>) => {
    const result = await work();
    load.push(os.loadavg()[0] ?? 0);
    return result;
  };
  try {
    await sleep(500);
    const before = await fleet.queries();
    await sleep(IDLE_WINDOW_MS);
    const idleQueriesPerSecond = ((await fleet.queries()) - before) / (IDLE_WINDOW_MS / 1000);
    const latencyMs = await phase(() => claimLatency(fleet, producer));
    const throughput = await phase(() => runBatch(fleet, producer, jobs('throughput', THROUGHPUT_JOBS)));
    const perKeyRows = await phase(() => perKey(kind, fleet, producer));
    const overrunRanTwice = kind === 'pgboss' ? await phase(() => overrun(fleet, producer)) : undefined;
    if (!smoke) await untilAMinuteBoundaryIsNear(fleetStarted);
    const slotFigures = await phase(() => slots(fleet));
    const native = kind === 'floor' ? undefined : nativeCron(fleet);
    const dead = kind === 'floor' ? undefined : await phase(() => deadWorker(kind, url, fleet, producer));
    return {
      idleQueriesPerSecond,
      latencyMs,
      throughput: { done: throughput.done, seconds: throughput.seconds },
      perKey: perKeyRows,
      slots: slotFigures,
      nativeCron: native,
      overrunRanTwice,
      deadWorker: dead,
      load,
    };
  } finally {
    await fleet.stop();
    await producer.close();
  }
}

const f1 = (value: number) => value.toFixed(1);

function print(figures: Record<KindName, KindFigures>) {
  const floor = figures.floor;
  const floorP50 = percentile(floor.latencyMs, 50);
  const floorRate = floor.throughput.done / floor.throughput.seconds;
  console.log(
    `Claim latency (enqueue → handler start, idle fleet of ${PROCESSES} processes × ${CONCURRENCY}; ${LATENCY_SAMPLES} jobs) and idle cost`,
  );
  for (const [kind, f] of Object.entries(figures) as [KindName, KindFigures][]) {
    const p50 = percentile(f.latencyMs, 50);
    const ratio = kind === 'floor' ? '' : `  ${f1(p50 / floorP50)}× the floor's p50`;
    console.log(
      `  ${LABELS[kind].padEnd(30)} p50 ${f1(p50).padStart(7)} ms  p99 ${f1(percentile(f.latencyMs, 99)).padStart(7)} ms  idle ${f1(f.idleQueriesPerSecond).padStart(5)} queries/s${ratio}`,
    );
  }
  console.log(`Throughput (${THROUGHPUT_JOBS} jobs of 0 ms, cap ${PHASE_CAP_MS / 1000} s)`);
  for (const [kind, f] of Object.entries(figures) as [KindName, KindFigures][]) {
    const rate = f.throughput.done / f.throughput.seconds;
    const ratio = kind === 'floor' ? '' : `  ${f1(floorRate / rate)}× slower than the floor`;
    console.log(
      `  ${LABELS[kind].padEnd(30)} ${f1(rate).padStart(8)} jobs/s  (${f.throughput.done} done in ${f1(f.throughput.seconds)} s)${ratio}`,
    );
  }
  console.log(`Per-key limit (${PER_KEY_JOBS} jobs of ${PER_KEY_HOLD_MS} ms over ${PER_KEY_KEYS} keys)`);
  for (const [kind, f] of Object.entries(figures) as [KindName, KindFigures][])
    for (const row of f.perKey)
      console.log(
        `  ${LABELS[kind].padEnd(30)} ${row.rule.padEnd(8)} max running per key ${row.maxPerKey}  ${f1(row.jobsPerSecond).padStart(7)} jobs/s  (${row.done}/${PER_KEY_JOBS} done)`,
      );
  console.log(`Schedule slots fired by both processes every second for ${TICK_SECONDS} s, and native cron`);
  for (const [kind, f] of Object.entries(figures) as [KindName, KindFigures][]) {
    const native = f.nativeCron
      ? `  native cron (${kind === 'graphile' ? NATIVE_CRON.graphile : NATIVE_CRON.pgboss}): ${f.nativeCron.fires} fires in ${f.nativeCron.slots} minute slots, max ${f.nativeCron.maxPerSlot} per slot`
      : '';
    console.log(
      `  ${LABELS[kind].padEnd(30)} ${f.slots.fired} slots, max ${f.slots.maxPerSlot} fires per slot, ${f.slots.twice} fired twice${native}`,
    );
  }
  console.log('Dead worker (kill -9 while holding a job)');
  for (const [kind, f] of Object.entries(figures) as [KindName, KindFigures][]) {
    const dead = f.deadWorker;
    if (!dead) continue;
    const recovered =
      dead.recoveredMs === null
        ? `not claimed again within ${f1(GRAPHILE_DEAD_WAIT_MS / 1000)} s; after forceUnlockWorkers + NOTIFY: ${dead.afterUnlockMs === undefined ? 'not' : `${f1(dead.afterUnlockMs)} ms`}`
        : `running again in the other process ${f1(dead.recoveredMs / 1000)} s after the kill (expireInSeconds ${PG_BOSS_EXPIRE_SECONDS})`;
    const overrunText =
      f.overrunRanTwice === undefined
        ? ''
        : `; a live handler past its expiry ran twice at once: ${f.overrunRanTwice ? 'yes' : 'no'}`;
    console.log(
      `  ${LABELS[kind].padEnd(30)} ${recovered}; ran twice at once: ${dead.ranTwice ? 'yes' : 'no'}${overrunText}`,
    );
  }
  const loads = Object.values(figures).flatMap((f) => f.load);
  console.log(
    `Load average (1 min) during the run: ${f1(Math.min(...loads))}–${f1(Math.max(...loads))}; pg-boss polls every ${PG_BOSS_POLLING_SECONDS} s per worker, graphile-worker every ${GRAPHILE_POLL_MS / 1000} s besides LISTEN`,
  );
}

export async function benchJobQueues(): Promise<[]> {
  const cluster = await startPostgres();
  try {
    const kindNames = ['floor', 'graphile', 'pgboss'] as const;
    const urls = await Promise.all(kindNames.map((kind) => cluster.createDatabase(`bench_${kind}`)));
    const measure = (i: number) => benchKind(kindNames[i] ?? 'floor', urls[i] ?? '');
    // One library at a time, so none measures another's load; the smoke run (figures meaningless)
    // runs them side by side to stay well under a minute.
    const results: KindFigures[] = [];
    if (smoke) results.push(...(await Promise.all(kindNames.map((_, i) => measure(i)))));
    else for (const i of kindNames.keys()) results.push(await measure(i));
    print(
      Object.fromEntries(kindNames.map((kind, i) => [kind, results[i]])) as Record<KindName, KindFigures>,
    );
  } finally {
    await cluster.stop();
  }
  return [];
}
