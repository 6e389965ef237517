import type { DbConnection } from '../index';
import { statementPerConnection } from '../prepared';
import type { Store } from '../store';

// The Runs page's search index on each dialect. SQLite's (FTS5, `executions_fts`) is filled in
// batches of the runs created since the last one; Postgres' (a GIN expression index of the same
// name, docs/scaling.md) follows every write, so it has nothing to catch up and never lags.

const statements = statementPerConnection((sqlite) => ({
  watermark: sqlite
    .prepare('select indexed_through as through from executions_fts_watermark where id = 1')
    .pluck(),
  newest: sqlite.prepare('select coalesce(max(id), 0) from executions').pluck(),
  index: sqlite.prepare(
    `insert into executions_fts (rowid, prompt, result_text)
     select id, prompt, result_text from executions where id > ? and id <= ?`,
  ),
  advance: sqlite.prepare('update executions_fts_watermark set indexed_through = ? where id = 1'),
  unindexed: sqlite
    .prepare(
      'select count(*) from executions where id > (select indexed_through from executions_fts_watermark where id = 1)',
    )
    .pluck(),
}));

/**
 * Puts the runs created since the last call into the Runs page's search index, in one FTS5
 * statement (see `executionsSearchWatermark`): about 2.5 µs a run, against ~35 µs for a trigger's
 * insert of each. Returns how many runs it indexed: none on Postgres. Runs its own transaction (on
 * the store's connection, not inside another).
 */
export async function indexNewRuns(store: Store): Promise<number> {
  if (store.dialect === 'postgres') return 0;
  const db = store.db as DbConnection;
  const sql = statements(db);
  return db.$client.transaction(() => {
    const through = sql.watermark.get() as number;
    const newest = sql.newest.get() as number;
    if (newest <= through) return 0;
    const { changes } = sql.index.run(through, newest);
    sql.advance.run(newest);
    return changes;
  })();
}

/** How many runs are not in the search index yet (created since the last batch): none on Postgres. */
export async function countUnindexedRuns(store: Store): Promise<number> {
  if (store.dialect === 'postgres') return 0;
  return statements(store.db as DbConnection).unindexed.get() as number;
}
