import type { DbHandle } from '../../src/lib/db';

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
      const params = (sql.match(/\?/g) ?? []).map(() => 1);
      const rows = prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[];
      return { sql, plan: rows.map((row) => row.detail) };
    });
}
