import { z } from 'zod';

/**
 * The data directory's storage (and on Postgres the link to the database) as the pages see it: the
 * banner (live, over the `storage` topic), the system page and `GET /api/system`.
 *
 * - `ok`: writes work and free space is above the floor.
 * - `low`: free space is below the floor: new runs are refused (running ones go on).
 * - `failing`: a write failed (full disk, read-only file, I/O error) and none has worked since:
 *   runs are stopped and refused, writes answer 507 or 503.
 */
export const STORAGE_STATES = ['ok', 'low', 'failing'] as const;
export type StorageState = (typeof STORAGE_STATES)[number];

export const STORAGE_FAULT_KINDS = ['full', 'readonly', 'io'] as const;

export const storageFaultSchema = z.object({
  kind: z.enum(STORAGE_FAULT_KINDS),
  /** SQLite's or the system's code: SQLITE_FULL, SQLITE_IOERR_WRITE, ENOSPC… */
  code: z.string(),
  /** What failed and what to do. */
  message: z.string(),
  at: z.number(),
});
export type StorageFaultDto = z.infer<typeof storageFaultSchema>;

/**
 * This process's link to Postgres as its LISTEN connection finds it: `unreachable` once an attempt
 * to connect fails (a connection that merely broke is tried again first), `reachable` again at the
 * next attempt that succeeds (within 5 s of the database's return).
 */
export const databaseLinkSchema = z.object({
  state: z.enum(['reachable', 'unreachable']),
  /** host:port/database, without credentials. */
  where: z.string(),
  /** Why it cannot be reached (a socket code, or node-postgres's words); null while reachable. */
  cause: z.string().nullable(),
  /** Since when the state holds. */
  since: z.number(),
});
export type DatabaseLinkDto = z.infer<typeof databaseLinkSchema>;

export const storageStatusSchema = z.object({
  state: z.enum(STORAGE_STATES),
  /** Since when the state holds. */
  since: z.number(),
  dataDir: z.string(),
  /** Free bytes (for the server's user) and size of the data directory's file system; null when unreadable. */
  freeBytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  /** In use as `df` counts it; with free and total gives the one disk share (contracts/metrics diskUsedShare). */
  usedBytes: z.number().nullable(),
  /** Fewer free bytes than this and new runs are refused. */
  floorBytes: z.number().nullable(),
  /** The fault that made storage `failing` (the last one seen); null otherwise. */
  fault: storageFaultSchema.nullable(),
  /** What the banner says: why runs are refused and what to do; null when `ok`. */
  message: z.string().nullable(),
  checkedAt: z.number(),
  /** On Postgres, this process's link to the database (the banner says when it is lost); null on SQLite. */
  databaseLink: databaseLinkSchema.nullable(),
});
export type StorageStatusDto = z.infer<typeof storageStatusSchema>;

/** One pruning round of run output: what it dropped, and how long its longest transaction held the database. */
export const pruneRoundSchema = z.object({
  at: z.number(),
  runs: z.number(),
  /** Log lines and steps dropped. */
  rows: z.number(),
  pagesFreed: z.number(),
  durationMs: z.number(),
  /** The median and the longest single delete (one transaction): how long the live path could wait on one. */
  medianBatchMs: z.number(),
  longestBatchMs: z.number(),
});
export type PruneRoundDto = z.infer<typeof pruneRoundSchema>;

/** The database's size, and what output retention keeps and frees (the system page). */
export const databaseUsageSchema = z.object({
  /** The database file, its write-ahead log, and the free pages inside the file. */
  fileBytes: z.number(),
  walBytes: z.number(),
  freeBytes: z.number(),
  /** Full output (log lines and steps) is kept this many days after a run ends; null: kept forever. */
  retentionDays: z.number().nullable(),
  /** Runs whose full output is kept, and its rows (log lines and steps). */
  keptRuns: z.number(),
  keptRows: z.number(),
  /** Of those, what the next pruning rounds drop (the runs ended before the cutoff). */
  prunableRuns: z.number(),
  prunableRows: z.number(),
  /** Runs whose output retention has dropped (their cost and result stay). */
  prunedRuns: z.number(),
  lastRound: pruneRoundSchema.nullable(),
});
export type DatabaseUsageDto = z.infer<typeof databaseUsageSchema>;
