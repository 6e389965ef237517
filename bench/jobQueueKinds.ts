// The three queues the job-queue bench compares, each behind the same small surface: set up its
// database, add jobs (from the bench or a worker process), run workers in a process. A job is
// "start run N of agent A": its payload names the job, its key (the agent) and how long the
// handler holds it (the run). Tuned for low claim latency, as ClaudeOps would run them.
import { Logger, makeWorkerUtils, run, runMigrations } from 'graphile-worker';
import pg from 'pg';
import PgBoss from 'pg-boss';

export type KindName = 'floor' | 'graphile' | 'pgboss';

export interface JobPayload {
  id: string;
  /** The agent: per-key limits and counts are per this. */
  key: string;
  holdMs: number;
}

/** What a handler runs: a run (`job`), a slot fired by the bench's own ticker, a native cron fire. */
export type Task = 'job' | 'tick' | 'cron';

export interface QueuedJob extends JobPayload {
  /**
   * Run this job serially with the others of the same lane (`<key>:<n>`; K lanes per key hold K
   * at once). graphile-worker: a named queue; pg-boss: the singleton key of a `singleton` queue.
   */
  lane?: string;
  /** A dead worker's job comes back: pg-boss after this expiry, then retried. */
  expireInSeconds?: number;
}

export interface Producer {
  add(jobs: readonly QueuedJob[]): Promise<void>;
  /** Fires schedule slot `slot` once, whichever process asks first (the library's own unique key). */
  fireSlot(slot: number): Promise<void>;
  /** Drops the jobs nobody claimed yet (a phase that stopped at its time cap leaves some). */
  purge(): Promise<void>;
  close(): Promise<void>;
}

export interface Workers {
  /** pg-boss polls per queue: the phases that use another queue start its workers when they begin. */
  workOn(queues: 'lanes' | 'slots'): Promise<void>;
  stop(): Promise<void>;
}

export type Handler = (task: Task, payload: JobPayload) => Promise<void>;

export const PG_BOSS_POLLING_SECONDS = 0.5; // pg-boss 10's minimum (POLICY.MIN_POLLING_INTERVAL_MS)
export const GRAPHILE_POLL_MS = 2000; // graphile-worker's default: LISTEN/NOTIFY wakes it first
export const NATIVE_CRON = { graphile: '* * * * *', pgboss: '* * * * * *' } as const;

const silentGraphileLogger = new Logger(() => () => undefined);
const slotPayload = (task: 'tick' | 'cron', slot: string | number): JobPayload => ({
  id: `${task}:${slot}`,
  key: task,
  holdMs: 0,
});

// ---------------------------------------------------------------------------------------------
// The floor: a plain table, `FOR UPDATE SKIP LOCKED`, LISTEN/NOTIFY wake-up. Bench code, not product.

const FLOOR_NOTIFY = `select pg_notify('floor_jobs', '') from (select count(*) from j) as added`;
const FLOOR_CLAIM = `update floor_jobs set locked_by = $1, locked_at = now()
  where id = (select id from floor_jobs where locked_at is null order by id limit 1 for update skip locked)
  returning id, task, payload`;

const floor = {
  async prepare(url: string) {
    await withClient(url, (client) =>
      client.query(`create table floor_jobs (id bigserial primary key, task text not null,
        payload jsonb not null, locked_by text, locked_at timestamptz);
        create table floor_slots (slot bigint primary key)`),
    );
  },
  async producer(url: string): Promise<Producer> {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    return {
      add: async (jobs) => {
        await pool.query(
          `with j as (insert into floor_jobs (task, payload) select 'job', p from jsonb_array_elements($1::jsonb) p returning 1) ${FLOOR_NOTIFY}`,
          [JSON.stringify(jobs.map(({ id, key, holdMs }) => ({ id, key, holdMs })))],
        );
      },
      fireSlot: async (slot) => {
        await pool.query(
          `with s as (insert into floor_slots values ($1) on conflict do nothing returning slot),
           j as (insert into floor_jobs (task, payload) select 'tick', $2::jsonb from s returning 1) ${FLOOR_NOTIFY}`,
          [slot, JSON.stringify(slotPayload('tick', slot))],
        );
      },
      purge: async () => {
        await pool.query('delete from floor_jobs where locked_at is null');
      },
      close: () => pool.end(),
    };
  },
  async work(url: string, concurrency: number, handle: Handler): Promise<Workers> {
    const pool = new pg.Pool({ connectionString: url, max: concurrency });
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    let wakes = 0;
    let waiting: (() => void)[] = [];
    listener.on('notification', () => {
      wakes++;
      for (const wake of waiting.splice(0)) wake();
    });
    await listener.query('listen floor_jobs');
    let stopped = false;
    const me = `floor-${process.pid}`;
    const slot = async () => {
      while (!stopped) {
        const seen = wakes;
        const { rows } = await pool.query<{ id: string; task: Task; payload: JobPayload }>(FLOOR_CLAIM, [me]);
        const job = rows[0];
        if (job) {
          await handle(job.task, job.payload);
          await pool.query('delete from floor_jobs where id = $1', [job.id]);
        } else if (wakes === seen) {
          // A notification between the empty claim and here was counted: then claim again at once.
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            setTimeout(resolve, 5000).unref();
          });
        }
      }
    };
    const slots = Array.from({ length: concurrency }, slot);
    return {
      workOn: async () => undefined,
      stop: async () => {
        stopped = true;
        for (const wake of waiting.splice(0)) wake();
        waiting = [];
        await Promise.allSettled(slots);
        await listener.end();
        await pool.end();
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// graphile-worker 0.17: LISTEN/NOTIFY wake-up, named queues run serially, crontab once per slot.

const graphile = {
  async prepare(url: string) {
    await runMigrations({ connectionString: url, logger: silentGraphileLogger });
  },
  async producer(url: string): Promise<Producer> {
    const utils = await makeWorkerUtils({ connectionString: url, logger: silentGraphileLogger });
    return {
      add: async (jobs) => {
        await utils.addJobs(
          jobs.map(({ lane, expireInSeconds: _, ...payload }) => ({
            identifier: 'job',
            payload,
            queueName: lane,
            maxAttempts: 3,
          })),
        );
      },
      fireSlot: async (slot) => {
        // A job key replaces or keeps a job that still exists; once it ran and was deleted, a
        // second add with the same key is a new job. The bench measures what that gives.
        await utils.addJob('tick', slotPayload('tick', slot), {
          jobKey: `tick:${slot}`,
          jobKeyMode: 'preserve_run_at',
        });
      },
      purge: async () => {
        await utils.withPgClient((client) =>
          client.query('delete from graphile_worker._private_jobs where locked_at is null'),
        );
      },
      close: async () => utils.release(),
    };
  },
  async work(url: string, concurrency: number, handle: Handler): Promise<Workers> {
    const runner = await run({
      connectionString: url,
      concurrency,
      noHandleSignals: true,
      pollInterval: GRAPHILE_POLL_MS,
      logger: silentGraphileLogger,
      crontab: `${NATIVE_CRON.graphile} cron`,
      taskList: {
        job: (payload) => handle('job', payload as JobPayload),
        tick: (payload) => handle('tick', payload as JobPayload),
        cron: (payload) =>
          handle('cron', slotPayload('cron', (payload as { _cron: { ts: string } })._cron.ts)),
      },
    });
    return { workOn: async () => undefined, stop: async () => runner.stop() };
  },
  /** Who holds job `id`: graphile-worker's worker id, for `forceUnlockWorkers`. */
  async lockedBy(url: string, id: string): Promise<string | null> {
    return withClient(url, async (client) => {
      const { rows } = await client.query<{ locked_by: string | null }>(
        `select locked_by from graphile_worker._private_jobs where payload->>'id' = $1`,
        [id],
      );
      return rows[0]?.locked_by ?? null;
    });
  },
  /** What a lease reaper would do for a worker it knows is dead: unlock its jobs and wake the others. */
  async unlockDeadWorker(url: string, workerId: string) {
    const utils = await makeWorkerUtils({ connectionString: url, logger: silentGraphileLogger });
    try {
      await utils.forceUnlockWorkers([workerId]);
      await utils.withPgClient((client) => client.query(`select pg_notify('jobs:insert', '{"count":1}')`));
    } finally {
      await utils.release();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// pg-boss 10.4: polling workers (one job per fetch), singleton queues, `schedule`, expiry + retry.

const PG_BOSS_QUEUES = { job: 'standard', lanes: 'singleton', tick: 'standard', cron: 'standard' } as const;

const pgBossOptions = (url: string, role: 'producer' | 'worker'): PgBoss.ConstructorOptions =>
  role === 'producer'
    ? { connectionString: url, supervise: false, schedule: false, max: 2 }
    : {
        connectionString: url,
        // The lowest each allows: expiry is found by maintenance, cron fires by its monitor.
        maintenanceIntervalSeconds: 1,
        cronMonitorIntervalSeconds: 1,
        cronWorkerIntervalSeconds: 1,
      };

async function startedBoss(options: PgBoss.ConstructorOptions): Promise<PgBoss> {
  const boss = new PgBoss(options);
  boss.on('error', (error) => console.error(`pg-boss: ${error.message}`));
  await boss.start();
  return boss;
}

const pgboss = {
  async prepare(url: string) {
    const boss = await startedBoss({ ...pgBossOptions(url, 'producer'), migrate: true });
    for (const [name, policy] of Object.entries(PG_BOSS_QUEUES))
      await boss.createQueue(name, { name, policy });
    // Every second, as asked; pg-boss throttles a schedule to one job per minute (see the docs).
    await boss.schedule('cron', NATIVE_CRON.pgboss);
    await boss.stop({ graceful: false, wait: true });
  },
  async producer(url: string): Promise<Producer> {
    const boss = await startedBoss(pgBossOptions(url, 'producer'));
    return {
      add: async (jobs) => {
        await boss.insert(
          jobs.map(({ lane, expireInSeconds, ...payload }) => ({
            name: lane ? 'lanes' : 'job',
            data: payload,
            singletonKey: lane,
            ...(expireInSeconds ? { expireInSeconds, retryLimit: 3, retryDelay: 0 } : {}),
          })),
        );
      },
      fireSlot: async (slot) => {
        // The key's unique index holds while the job exists (until archived, 12 h by default).
        await boss.send('tick', slotPayload('tick', slot), {
          singletonKey: `tick:${slot}`,
          singletonSeconds: 3600,
        });
      },
      purge: () => boss.purgeQueue('job'),
      close: () => boss.stop({ graceful: false, wait: true }),
    };
  },
  async work(url: string, concurrency: number, handle: Handler): Promise<Workers> {
    const boss = await startedBoss(pgBossOptions(url, 'worker'));
    const workOn = async (
      queue: string,
      count: number,
      handler: (job: PgBoss.JobWithMetadata) => Promise<void>,
    ) => {
      // pg-boss 10 has no per-worker concurrency: one `work()` is one polling loop of one job.
      for (let i = 0; i < count; i++)
        await boss.work<JobPayload>(
          queue,
          { pollingIntervalSeconds: PG_BOSS_POLLING_SECONDS, batchSize: 1, includeMetadata: true },
          async ([job]) => {
            if (job) await handler(job as PgBoss.JobWithMetadata);
          },
        );
    };
    await workOn('job', concurrency, (job) => handle('job', job.data as JobPayload));
    return {
      workOn: async (queues) => {
        if (queues === 'lanes')
          await workOn('lanes', concurrency, (job) => handle('job', job.data as JobPayload));
        else {
          await workOn('tick', 1, (job) => handle('tick', job.data as JobPayload));
          // The minute the timekeeper fired it in: its once-per-slot key is that minute.
          await workOn('cron', 1, (job) =>
            handle(
              'cron',
              slotPayload(
                'cron',
                new Date(Math.floor(job.createdOn.getTime() / 60_000) * 60_000).toISOString(),
              ),
            ),
          );
        }
      },
      stop: () => boss.stop({ graceful: false, wait: true }),
    };
  },
};

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export const kinds = { floor, graphile, pgboss } satisfies Record<
  KindName,
  {
    prepare(url: string): Promise<void>;
    producer(url: string): Promise<Producer>;
    work(url: string, concurrency: number, handle: Handler): Promise<Workers>;
  }
>;
export const graphileLeases = { lockedBy: graphile.lockedBy, unlockDeadWorker: graphile.unlockDeadWorker };
