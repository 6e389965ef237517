import type pg from 'pg';
import type { DbHandle } from '../../src/lib/db';
import type { Store } from '../../src/lib/db/store';

export interface PlannedStatement {
  sql: string;
  /** SQLite's EXPLAIN QUERY PLAN details, one line per step. */
  plan: string[];
}

/**
 * Runs `fn` and returns the query plan of every statement it prepared on the connection: drizzle
 * prepares each query on the better-sqlite3 connection, so recording `prepare` sees them all. An
 * async `fn` (a dialect-neutral query) is awaited: its statements are prepared in later microtasks.
 */
export async function plansOf(handle: DbHandle, fn: () => unknown): Promise<PlannedStatement[]> {
  const { sqlite } = handle;
  const prepare = sqlite.prepare.bind(sqlite);
  const seen: string[] = [];
  sqlite.prepare = ((source: string) => {
    seen.push(source);
    return prepare(source);
  }) as typeof sqlite.prepare;
  try {
    await fn();
  } finally {
    sqlite.prepare = prepare;
  }
  return [...new Set(seen)]
    .filter((sql) => /^\s*select/i.test(sql))
    .map((sql) => {
      // Positional (`?`) or named (`@name`) parameters, each bound to 1.
      const named = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map(([, name]) => [name, 1]));
      const params = (sql.match(/\?/g) ?? []).map(() => 1);
      const explained = prepare(`explain query plan ${sql}`);
      const rows = (Object.keys(named).length > 0 ? explained.all(named) : explained.all(...params)) as {
        detail: string;
      }[];
      return { sql, plan: rows.map((row) => row.detail) };
    });
}

/**
 * The same on a Postgres store: runs `fn`, recording every select it sent through the store's pool,
 * then EXPLAINs each with its parameters (the tables analyzed first) and sequential scans priced out, so on a small test table
 * the plan names an index exactly when the query's expressions match it.
 */
export async function postgresPlansOf(
  store: Store,
  fn: () => unknown,
): Promise<{ sql: string; plan: string }[]> {
  if (store.dialect !== 'postgres') throw new Error('postgresPlansOf takes a Postgres store');
  // node-postgres' pool is the drizzle database's client (see tests/helpers/stores.ts).
  const pool = (store.db as unknown as { $client: pg.Pool }).$client;
  const query = pool.query.bind(pool);
  const seen: { text: string; values: unknown[] }[] = [];
  pool.query = ((config: string | pg.QueryConfig, values?: unknown[]) => {
    const text = typeof config === 'string' ? config : config.text;
    seen.push({ text, values: values ?? (typeof config === 'string' ? [] : (config.values ?? [])) });
    return query(config as string, values);
  }) as typeof pool.query;
  try {
    await fn();
  } finally {
    pool.query = query;
  }
  const client = await pool.connect();
  try {
    await client.query('analyze');
    await client.query('set enable_seqscan = off');
    const plans: { sql: string; plan: string }[] = [];
    for (const { text, values } of seen.filter(({ text }) => /^\s*select/i.test(text))) {
      const rows = (await client.query(`explain ${text}`, values)).rows as { 'QUERY PLAN': string }[];
      plans.push({ sql: text, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
    }
    return plans;
  } finally {
    await client.query('reset enable_seqscan');
    client.release();
  }
}
