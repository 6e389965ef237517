import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** What a backup or a restore copied, and how long it took. */
export interface CopyReport {
  from: string;
  to: string;
  bytes: number;
  pages: number;
  durationMs: number;
}

/** Pages per step large enough to take the whole database in one step (see copyDatabase). */
const ALL_PAGES = 0x7fffffff;

export class BackupError extends Error {
  override name = 'BackupError';
}

/**
 * SQLite's online backup API through a connection of our own: every page in one step, so the copy
 * is one consistent snapshot (one read transaction), taken while the server goes on writing (WAL:
 * readers never block the writer). A backup taken in smaller steps would restart each time the
 * server commits. The copy is set to a plain rollback journal, one self-contained file.
 */
async function copyDatabase(from: string, to: string): Promise<CopyReport> {
  const started = performance.now();
  const source = new Database(from, { readonly: true, fileMustExist: true });
  let pages = 0;
  try {
    source.pragma('busy_timeout = 5000');
    const progress = await source.backup(to, { progress: () => ALL_PAGES });
    pages = progress.totalPages;
  } finally {
    source.close();
  }
  const copy = new Database(to);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  return {
    from,
    to,
    pages,
    bytes: fs.statSync(to).size,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Refuses a file that is not a sound ClaudeOps database (integrity, and its migrations table). */
export function checkBackup(file: string): void {
  if (!fs.existsSync(file)) throw new BackupError(`${file} does not exist`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged (quick_check: ${String(integrity)})`);
    const migrations = db
      .prepare(
        "select count(*) as n from sqlite_master where type = 'table' and name = '__drizzle_migrations'",
      )
      .get() as { n: number };
    if (migrations.n === 0) throw new BackupError(`${file} is a SQLite database, but not a ClaudeOps one`);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} cannot be read as a database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

/**
 * `npm run backup -- <file>`: a consistent copy of the live database, while the server runs, then
 * checked. Refuses to overwrite an existing file.
 */
export async function backupDatabase(databasePath: string, target: string): Promise<CopyReport> {
  const to = path.resolve(target);
  if (fs.existsSync(to)) throw new BackupError(`${to} already exists: choose a new file name`);
  if (!fs.existsSync(databasePath))
    throw new BackupError(`There is no database at ${databasePath} to back up`);
  const report = await copyDatabase(databasePath, to);
  checkBackup(to);
  return report;
}

/**
 * `npm run restore -- <file>`: puts a backup in place of the database. Call it holding the
 * instance lock (no server may use the database meanwhile). A database already there is kept
 * beside it, renamed with the time; with no `force`, an existing database is never replaced.
 */
export async function restoreDatabase(
  backup: string,
  databasePath: string,
  options: { force: boolean },
): Promise<CopyReport & { keptAs: string | null }> {
  const from = path.resolve(backup);
  checkBackup(from);
  let keptAs: string | null = null;
  if (fs.existsSync(databasePath)) {
    if (!options.force) {
      throw new BackupError(
        `${databasePath} exists: pass --force to replace it (it is kept beside it, renamed, not deleted)`,
      );
    }
    keptAs = `${databasePath}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // The database and its write-ahead log belong together: both move, so nothing committed is lost.
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(`${databasePath}${suffix}`))
        fs.renameSync(`${databasePath}${suffix}`, `${keptAs}${suffix}`);
    }
  }
  fs.mkdirSync(path.dirname(databasePath), { recursive: true });
  const report = await copyDatabase(from, databasePath);
  return { ...report, keptAs };
}
