// Claiming queued runs across workers (src/lib/db/queries/runClaims.ts, docs/scaling.md "Claims,
// leases and the reaper"): a claim's latency and the claims per second of 2 and 4 claimers, on
// Postgres (each claimer its own pool, as each worker host has) and on SQLite (claimers
// interleaved in one process: its transactions are synchronous, so they never overlap). The
// baseline, in the same run on the same store: a bare claim, the oldest queued row moved to
// running with no limits, no labels and no lock but the row's.

import { asc, eq } from 'drizzle-orm';
import { changesOf, firstOf, type Plan, transaction } from '../src/lib/db/plan';
import { openPostgres } from '../src/lib/db/postgres';
import { claimRun } from '../src/lib/db/queries/runClaims';
import { updateAppSettings } from '../src/lib/db/queries/settings';
import { registerWorker } from '../src/lib/db/queries/workers';
import { skipLockedRows } from '../src/lib/db/rowLocks';
import { type Store, sqliteStore } from '../src/lib/db/store';
import { startPostgres } from '../tests/helpers/postgres';
import { createTestDb } from '../tests/helpers/testDb';
import type { BenchResult } from './measure';
import { sized } from './smoke';

const RUNS = sized(1_000, 12);
const NOW = Date.now();
const LABELS = [['gpu'], ['repo-a']];

/** The baseline: the oldest queued run to running, nothing else checked. */
function* bareClaim(store: Store, workerId: string): Plan<number | null> {
  const { db, t } = store;
  const e = t.executions;
  const row = yield* firstOf(
    skipLockedRows(
      store,
      db.select({ id: e.id }).from(e).where(eq(e.status, 'queued')).orderBy(asc(e.id)).limit(1),
      e,
    ),
  );
  if (!row) return null;
  yield* changesOf(db.update(e).set({ status: 'running', workerId, startedAt: NOW }).where(eq(e.id, row.id)));
  return row.id;
}

/** Two agents, one per label set, and RUNS queued runs alternating between them. */
async function seed(store: Store, claimers: number): Promise<void> {
  const { db, t } = store;
  await db.delete(t.executions);
  await db.delete(t.workers);
  await db.delete(t.agentConfigurations);
  await transaction(store, (tx) => updateAppSettings(tx, { maxConcurrentRuns: 50 }));
  const agentIds: number[] = [];
  for (const [i, labels] of LABELS.entries()) {
    const [agent] = await db
      .insert(t.agentConfigurations)
      .values({
        name: `a${i}`,
        model: 'm',
        defaultPrompt: 'Go.',
        requiredLabels: labels,
        maxConcurrentRuns: 20,
        createdAt: 0,
        updatedAt: 0,
      })
      .returning({ id: t.agentConfigurations.id });
    agentIds.push(agent?.id ?? 0);
  }
  const rows = Array.from({ length: RUNS }, (_, i) => ({
    agentId: agentIds[i % 2] ?? 0,
    trigger: 'api' as const,
    status: 'queued' as const,
    prompt: 'Go.',
    model: 'm',
    createdAt: NOW,
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(t.executions).values(rows.slice(i, i + 500));
  for (let i = 0; i < claimers; i += 1)
    await registerWorker(store, {
      id: `w${i}`,
      host: 'bench',
      labels: LABELS[i % 2] ?? [],
      version: '0',
      startedAt: NOW,
    });
}

/** `stores.length` claimers claiming and completing every run: each claim's time, and the whole. */
async function drain(
  stores: Store[],
  claim: (store: Store, worker: number) => Promise<number | null>,
): Promise<{ samplesMs: number[]; perSecond: number }> {
  const samplesMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    stores.map(async (store, worker) => {
      for (;;) {
        const start = performance.now();
        const id = await claim(store, worker);
        if (id === null) return;
        samplesMs.push(performance.now() - start);
        await store.db
          .update(store.t.executions)
          .set({ status: 'completed' })
          .where(eq(store.t.executions.id, id));
      }
    }),
  );
  return { samplesMs, perSecond: (samplesMs.length / (performance.now() - started)) * 1000 };
}

async function measure(dialect: string, stores: Store[], results: BenchResult[]): Promise<void> {
  const [first] = stores;
  if (!first) return;
  const claimers = stores.length;
  await seed(first, claimers);
  const bare = await drain(stores, (store, worker) =>
    transaction(store, (tx) => bareClaim(tx, `w${worker}`)),
  );
  await seed(first, claimers);
  const full = await drain(stores, async (store, worker) => {
    const claimed = await transaction(store, (tx) =>
      claimRun(tx, { id: `w${worker}`, labels: LABELS[worker % 2] ?? [] }, () => NOW),
    );
    return claimed?.executionId ?? null;
  });
  const baseline = { name: `bare claim, ${dialect}, ${claimers} claimers`, samplesMs: bare.samplesMs };
  results.push(baseline, {
    name: `  claimRun (labels, limits, lock), ${dialect}, ${claimers} claimers`,
    samplesMs: full.samplesMs,
    baseline,
  });
  console.log(
    `${dialect}, ${claimers} claimers: ${full.perSecond.toFixed(0)} claims/s with claimRun, ${bare.perSecond.toFixed(0)} bare (${(full.perSecond / bare.perSecond).toFixed(2)}×)`,
  );
}

export async function benchRunClaims(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const handle = createTestDb();
  const cluster = await startPostgres();
  const url = await cluster.createDatabase('bench_run_claims');
  const pools = [];
  try {
    for (let i = 0; i < 4; i += 1) pools.push(await openPostgres(url, { maxConnections: 2 }));
    for (const claimers of [2, 4]) {
      const sqlite = sqliteStore(handle.db);
      await measure(
        'SQLite',
        Array.from({ length: claimers }, () => sqlite),
        results,
      );
      await measure(
        'Postgres',
        pools.slice(0, claimers).map((pool) => pool.store),
        results,
      );
    }
    return results;
  } finally {
    for (const pool of pools) await pool.close();
    await cluster.stop();
    handle.sqlite.close();
  }
}
