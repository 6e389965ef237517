import { sql } from 'drizzle-orm';
import type { DbExecutor } from './executor';
import type { Db } from './index';

/** `PRAGMA auto_vacuum` reads 2 in incremental mode. */
const INCREMENTAL = 2;

/**
 * Lets pruned pages go back to the file system (incrementalVacuum below). openDatabase sets the
 * mode before a new file's first page; SQLite only switches a database that already has pages by
 * rebuilding it, so one created before this mode is VACUUMed once, at start, before anything else
 * uses it: seconds for a large file, once. Returns whether it had to.
 */
export function ensureIncrementalAutoVacuum(db: Db): 'already' | 'converted' {
  const mode = db.get<{ auto_vacuum: number }>(sql`pragma auto_vacuum`);
  if (mode.auto_vacuum === INCREMENTAL) return 'already';
  db.run(sql`pragma auto_vacuum = incremental`);
  db.run(sql`vacuum`);
  return 'converted';
}

/** Pages of the file that hold nothing since rows were deleted. */
export function freelistPages(db: DbExecutor): number {
  return db.get<{ freelist_count: number }>(sql`pragma freelist_count`).freelist_count;
}

/** Hands up to `pages` free pages back to the file system (one short write transaction). */
export function incrementalVacuum(db: DbExecutor, pages: number): void {
  db.run(sql.raw(`pragma incremental_vacuum(${Math.max(1, Math.floor(pages))})`));
}
