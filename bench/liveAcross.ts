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
const TEXT = (seq: number) => `line ${seq} of a fairly ordinary tool output`;

interface Latencies {
  /** Handed to the writer → delivered to the follower. */
  lineMs: number[];
  /** The commit returned to the writer → delivered to the follower. */
  commitMs: number[];
}

async function newRun(store: Store): Promise<number> {
  const agent = await execute(
    store,
    createAgent(store, { name: 'bench', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  return execute(
    store,
    insertQueuedExecution(store, { agentId: agent.id, prompt: 'p', model: agent.model, trigger: 'manual' }),
  );
}

/** Resolves with the time the follower is handed each seq, as it is handed. */
function timedFollow(store: Store, source: AnnouncementSource, executionId: number) {
  const waiting = new Map<number, (at: number) => void>();
  const follow = runFeed(store, source).follow(executionId, 0, {
    onItems: ({ logs }) => {
      const at = preciseNow();
      for (const line of logs) waiting.get(line.seq)?.(at);
    },
    onError: (error) => console.error('follower:', error),
  });
  const delivered = (seq: number) => new Promise<number>((resolve) => waiting.set(seq, resolve));
  return { follow, delivered };
}

/** One line at a time, each after the last was delivered: latency, not throughput. */
async function inProcess(): Promise<Latencies> {
  const handle = createTestDb();
  const store = sqliteStore(handle.db);
  const events = new EngineEvents();
  const committedAt = new Map<number, number>();
  const writer = new OutputWriter(
    sqliteOutputStore(handle.sqlite),
    new SecretMasker([]),
    (outputs) => {
      const at = preciseNow();
      for (const { executionId, seq, steps, logs } of outputs) {
        committedAt.set(seq, at);
        events.emit({ type: 'run.output', executionId, seq, steps, logs }, (error) => console.error(error));
      }
    },
    (error) => console.error('writer:', error),
  );
  const runId = await newRun(store);
  const { follow, delivered } = timedFollow(store, engineAnnouncements(events), runId);
  await follow.caughtUp;
  const output = writer.open(runId, 0);
  const latencies: Latencies = { lineMs: [], commitMs: [] };
  for (let seq = 1; seq <= WARM_UP + LINES; seq++) {
    const arrived = delivered(seq);
    const addedAt = preciseNow();
    output.addLog({ level: 'info', text: TEXT(seq) });
    const at = await arrived;
    if (seq <= WARM_UP) continue;
    latencies.lineMs.push(at - addedAt);
    latencies.commitMs.push(at - (committedAt.get(seq) ?? Number.NaN));
  }
  follow.close();
  handle.sqlite.close();
  return latencies;
}

async function acrossProcesses(): Promise<Latencies> {
  const cluster = await startPostgres();
  try {
    const url = await cluster.createDatabase('bench_live');
    const { store, close } = await openPostgres(url, { maxConnections: 4 });
    const live = new PostgresLive(url, {
      info: () => {},
      warn: (fields, message) => console.error(message, fields),
    });
    const writer = await forkLiveWriter(url, 'bench-worker');
    try {
      await live.whenListening();
      const runId = await newRun(store);
      const { follow, delivered } = timedFollow(store, live, runId);
      await follow.caughtUp;
      const latencies: Latencies = { lineMs: [], commitMs: [] };
      for (let seq = 1; seq <= WARM_UP + LINES; seq++) {
        const arrived = delivered(seq);
        const committed = writer.next(
          (m): m is Extract<FromWriter, { type: 'committed' }> => m.type === 'committed' && m.seq === seq,
        );
        writer.send({ type: 'line', executionId: runId, seq, text: TEXT(seq) });
        const [at, commit] = await Promise.all([arrived, committed]);
        if (seq <= WARM_UP) continue;
        latencies.lineMs.push(at - (commit.addedAt ?? Number.NaN));
        latencies.commitMs.push(at - commit.at);
      }
      follow.close();
      return latencies;
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
  const local = await inProcess();
  const across = await acrossProcesses();
  console.log(`Live line latency, ${LINES} lines one at a time, each after the last was delivered:`);
  for (const [name, latencies] of [
    ['in process (SQLite, event bus)', local],
    ['across processes (Postgres, LISTEN/NOTIFY)', across],
  ] as const) {
    console.log(`  ${name.padEnd(44)} line → follower   ${figures(latencies.lineMs)}`);
    console.log(`  ${''.padEnd(44)} commit → follower ${figures(latencies.commitMs)}`);
  }
  const ratio = (pick: (l: Latencies) => number[], p: number) =>
    (percentile(pick(across), p) / percentile(pick(local), p)).toFixed(1);
  console.log(
    `  across / in process: line → follower ${ratio((l) => l.lineMs, 50)}× at p50, ${ratio((l) => l.lineMs, 99)}× at p99`,
  );
  return [];
}
