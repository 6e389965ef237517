// Issue 24's live line latency across processes vs in process, measured in the same run: a line
// handed to the output writer, committed by its group commit, and delivered to a follower of the
// run. In process: SQLite and the engine's event bus (the one-box path). Across processes:
// Postgres, the writer in a worker process announcing with NOTIFY, the follower in this process
// reading the lines from the store on each announcement (src/lib/live).
import { execute } from '../src/lib/db/plan';
import { openPostgres } from '../src/lib/db/postgres';
import { createAgent } from '../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../src/lib/db/queries/executions';
import { sqliteOutputStore } from '../src/lib/db/queries/outputStore';
import { type Store, sqliteStore } from '../src/lib/db/store';
import { EngineEvents } from '../src/lib/engine/events';
import { OutputWriter } from '../src/lib/engine/outputWriter';
import { engineAnnouncements } from '../src/lib/live/inProcess';
import { PostgresLive } from '../src/lib/live/postgresLive';
import { type AnnouncementSource, runFeed } from '../src/lib/live/runFeed';
import { SecretMasker } from '../src/lib/security/secrets';
import { forkLiveWriter } from '../tests/helpers/liveWriter';
import type { FromWriter } from '../tests/helpers/liveWriterProcess';
import { startPostgres } from '../tests/helpers/postgres';
import { createTestDb } from '../tests/helpers/testDb';
import { sized } from './smoke';
import { percentile, preciseNow } from './stats';

const LINES = sized(500, 20);
const WARM_UP = sized(50, 3);
/** Viewers of one run on one web node: each follower reads the lines itself. */
const FOLLOWERS = sized(20, 3);
const TEXT = (seq: number) => `line ${seq} of a fairly ordinary tool output`;

interface Latencies {
  /** Handed to the writer → delivered to the follower. */
  lineMs: number[];
  /** The commit returned to the writer → delivered to the follower. */
  commitMs: number[];
}

/** A queued run to follow, of an agent of its own (`name`: agent names are unique). */
async function newRun(store: Store, name: string): Promise<number> {
  const agent = await execute(
    store,
    createAgent(store, { name, model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  return execute(
    store,
    insertQueuedExecution(store, { agentId: agent.id, prompt: 'p', model: agent.model, trigger: 'manual' }),
  );
}

/**
 * `followers` followers of the run (viewers of one run on one web node); `delivered(seq)` resolves
 * with the time the last of them was handed that line.
 */
async function timedFollowers(
  store: Store,
  source: AnnouncementSource,
  executionId: number,
  followers: number,
) {
  const waiting = new Map<number, { left: number; resolve: (at: number) => void }>();
  const follows = Array.from({ length: followers }, () =>
    runFeed(store, source).follow(executionId, 0, {
      onItems: ({ logs }) => {
        const at = preciseNow();
        for (const line of logs) {
          const wait = waiting.get(line.seq);
          if (wait && --wait.left === 0) wait.resolve(at);
        }
      },
      onError: (error) => console.error('follower:', error),
    }),
  );
  await Promise.all(follows.map((follow) => follow.caughtUp));
  return {
    delivered: (seq: number) =>
      new Promise<number>((resolve) => waiting.set(seq, { left: followers, resolve })),
    close: () => {
      for (const follow of follows) follow.close();
    },
  };
}

/** Writes one line of a run and says when it was handed to the writer and when it was committed. */
type WriteLine = (executionId: number, seq: number) => Promise<{ addedAt: number; committedAt: number }>;

/** One line at a time, each after the last was delivered to every follower: latency, not throughput. */
async function measure(
  store: Store,
  source: AnnouncementSource,
  writeLine: WriteLine,
  followers: number,
): Promise<Latencies> {
  const runId = await newRun(store, `followed by ${followers}`);
  const followed = await timedFollowers(store, source, runId, followers);
  const latencies: Latencies = { lineMs: [], commitMs: [] };
  for (let seq = 1; seq <= WARM_UP + LINES; seq++) {
    const arrived = followed.delivered(seq);
    const [at, { addedAt, committedAt }] = await Promise.all([arrived, writeLine(runId, seq)]);
    if (seq <= WARM_UP) continue;
    latencies.lineMs.push(at - addedAt);
    latencies.commitMs.push(at - committedAt);
  }
  followed.close();
  return latencies;
}

/** SQLite and the engine's bus, in this process. */
async function inProcess(): Promise<Latencies[]> {
  const handle = createTestDb();
  const store = sqliteStore(handle.db);
  const events = new EngineEvents();
  const committed = new Map<number, (at: number) => void>();
  const writer = new OutputWriter(
    sqliteOutputStore(handle.sqlite),
    new SecretMasker([]),
    (outputs) => {
      const at = preciseNow();
      for (const { executionId, seq, steps, logs } of outputs) {
        committed.get(seq)?.(at);
        events.emit({ type: 'run.output', executionId, seq, steps, logs }, (error) => console.error(error));
      }
    },
    (error) => console.error('writer:', error),
  );
  const writeLine: WriteLine = async (executionId, seq) => {
    const committedAt = new Promise<number>((resolve) => committed.set(seq, resolve));
    const addedAt = preciseNow();
    // Committed by the group commit on the next turn of the event loop, as in a run.
    writer.open(executionId, seq - 1).addLog({ level: 'info', text: TEXT(seq) });
    return { addedAt, committedAt: await committedAt };
  };
  const source = engineAnnouncements(events);
  try {
    return [await measure(store, source, writeLine, 1), await measure(store, source, writeLine, FOLLOWERS)];
  } finally {
    handle.sqlite.close();
  }
}

/** Postgres: the writer in a worker process, the followers here. */
async function acrossProcesses(): Promise<Latencies[]> {
  const cluster = await startPostgres();
  try {
    const url = await cluster.createDatabase('bench_live');
    const { store, close } = await openPostgres(url, { maxConnections: 4 });
    const live = new PostgresLive(url, {
      info: () => {},
      warn: (fields, message) => console.error(message, fields),
    });
    const writer = await forkLiveWriter(url, 'bench-worker');
    const writeLine: WriteLine = async (executionId, seq) => {
      const committed = writer.next(
        (m): m is Extract<FromWriter, { type: 'committed' }> => m.type === 'committed' && m.seq === seq,
      );
      writer.send({ type: 'line', executionId, seq, text: TEXT(seq) });
      const { addedAt = Number.NaN, at } = await committed;
      return { addedAt, committedAt: at };
    };
    try {
      await live.whenListening();
      return [await measure(store, live, writeLine, 1), await measure(store, live, writeLine, FOLLOWERS)];
    } finally {
      await writer.exit();
      await live.close();
      await close();
    }
  } finally {
    await cluster.stop();
  }
}

const figures = (samples: number[]) =>
  `p50 ${percentile(samples, 50).toFixed(2).padStart(7)} ms  p99 ${percentile(samples, 99).toFixed(2).padStart(7)} ms`;

export async function benchLiveAcross(): Promise<[]> {
  const [local, localMany] = await inProcess();
  const [across, acrossMany] = await acrossProcesses();
  if (!local || !localMany || !across || !acrossMany) throw new Error('a measurement is missing');
  console.log(
    `Live line latency, ${LINES} lines one at a time, each after the last was delivered (to the last of N followers):`,
  );
  for (const [name, latencies] of [
    ['in process (SQLite, event bus), 1 follower', local],
    [`in process, ${FOLLOWERS} followers`, localMany],
    ['across processes (Postgres NOTIFY), 1 follower', across],
    [`across processes, ${FOLLOWERS} followers`, acrossMany],
  ] as const) {
    console.log(`  ${name.padEnd(48)} line → follower   ${figures(latencies.lineMs)}`);
    console.log(`  ${''.padEnd(48)} commit → follower ${figures(latencies.commitMs)}`);
  }
  const ratio = (a: Latencies, b: Latencies, p: number) =>
    (percentile(a.lineMs, p) / percentile(b.lineMs, p)).toFixed(1);
  console.log(
    `  across / in process, line → follower: ${ratio(across, local, 50)}× at p50, ${ratio(across, local, 99)}× at p99 (1 follower); ${ratio(acrossMany, localMany, 50)}× / ${ratio(acrossMany, localMany, 99)}× (${FOLLOWERS})`,
  );
  return [];
}
