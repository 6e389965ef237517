// The dialect-neutral query layer (src/lib/db/plan.ts, docs/scaling.md "One query layer over both"):
// what a plan costs on SQLite beside the very same drizzle query called synchronously, as the code
// did before (the baseline), and the same plans on Postgres beside SQLite. Postgres runs on a
// throw-away cluster on this machine (tests/helpers/postgres.ts): a socket round trip per statement
// that SQLite, in the process, never pays.

import { execute, runOnSqlite, transaction } from '../src/lib/db/plan';
import {
  discardUnsent,
  insertChannelRow,
  listChannelRows,
  updateChannelRow,
} from '../src/lib/db/queries/notificationChannels';
import { type Store, sqliteStore } from '../src/lib/db/store';
import { startPostgres } from '../tests/helpers/postgres';
import { migratedPostgresStore } from '../tests/helpers/postgresStore';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt, timeItAsync } from './measure';
import { sized } from './smoke';

const CHANNELS = 20;
const RUNS = sized(2_000, 5);

async function seedChannels(store: Store): Promise<number> {
  let last = 0;
  for (let i = 0; i < CHANNELS; i++) {
    const row = await execute(
      store,
      insertChannelRow(store, {
        type: 'slack',
        name: `channel ${i}`,
        enabled: true,
        events: ['run.failed'],
        agentIds: null,
        settings: {},
        secrets: 'sealed',
        secretHints: {},
        createdAt: i,
        updatedAt: i,
      }),
    );
    last = row.id;
  }
  return last;
}

/** Disabling a channel as its service does: drop what it had not sent, change the row, in one transaction. */
const disable = (store: Store, id: number, at: number) =>
  transaction(store, function* (tx) {
    yield* discardUnsent(tx, id);
    return yield* updateChannelRow(tx, id, { enabled: false, updatedAt: at });
  });

export async function benchQueryLayer(): Promise<BenchResult[]> {
  const handle = createTestDb();
  const sqlite = sqliteStore(handle.db);
  const cluster = await startPostgres();
  const postgres = await migratedPostgresStore(cluster, 'bench_query_layer');
  try {
    const sqliteChannel = await seedChannels(sqlite);
    const postgresChannel = await seedChannels(postgres.store);

    // The statement the plan yields, run the way the synchronous code ran it.
    const first = listChannelRows(sqlite).next();
    if (first.done || first.value.kind !== 'rows') throw new Error('listChannelRows yields one select');
    const { query } = first.value;
    const direct = timeIt(`list ${CHANNELS} channels: drizzle .all(), synchronous`, RUNS, () => query.all());
    const onSqlite = timeIt('  the same as a plan, runOnSqlite', RUNS, () =>
      runOnSqlite(listChannelRows(sqlite)),
    );
    const awaited = await timeItAsync('  the same as a plan, awaited (execute)', RUNS, () =>
      execute(sqlite, listChannelRows(sqlite)),
    );
    const onPostgres = await timeItAsync('  the same plan on Postgres (baseline: SQLite awaited)', RUNS, () =>
      execute(postgres.store, listChannelRows(postgres.store)),
    );

    let at = 0;
    const sqliteTransaction = await timeItAsync(
      'disable a channel: 2 statements, 1 transaction, SQLite',
      RUNS,
      () => disable(sqlite, sqliteChannel, ++at),
    );
    const postgresTransaction = await timeItAsync('  the same on Postgres (baseline: SQLite)', RUNS, () =>
      disable(postgres.store, postgresChannel, ++at),
    );
    return [
      direct,
      { ...onSqlite, baseline: direct },
      { ...awaited, baseline: direct },
      { ...onPostgres, baseline: awaited },
      sqliteTransaction,
      { ...postgresTransaction, baseline: sqliteTransaction },
    ];
  } finally {
    await postgres.close();
    await cluster.stop();
    handle.sqlite.close();
  }
}
