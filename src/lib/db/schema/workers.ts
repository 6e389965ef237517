import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { HostVitals } from '../../contracts/workers';

/**
 * The processes that run agents, one row per process start: each worker host's (`npm run worker`)
 * and, unless it leaves runs to them, the web process's own (docs/scaling.md).
 */
export const workers = sqliteTable(
  'workers',
  {
    /** `${host}-${pid}-${random}`: stable for the life of the process, never reused. */
    id: text('id').primaryKey(),
    host: text('host').notNull(),
    /** From WORKER_LABELS: an agent's runs go only to a worker with every label it requires. */
    labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
    /** The ClaudeOps version (package.json) it runs. */
    version: text('version').notNull(),
    startedAt: integer('started_at').notNull(),
    lastBeatAt: integer('last_beat_at').notNull(),
    /** When it began to drain on a stop signal: no run starts, running ones finish or are handed back. */
    drainingSince: integer('draining_since'),
    /** When it stopped cleanly; null while it runs (or if it died without saying so). */
    stoppedAt: integer('stopped_at'),
    /** Its host's figures at its last beat (contracts/workers.ts `hostVitalsSchema`). */
    vitals: text('vitals', { mode: 'json' }).$type<HostVitals>(),
  },
  (t) => [index('workers_recent').on(t.startedAt)],
);

export type WorkerRow = typeof workers.$inferSelect;

/**
 * Each worker host's figures at each beat of its worker, kept a day (WORKER_VITALS_KEPT_MS): the
 * Workers page's chart of a host's load, and the health reporter's view of the fleet over the hour.
 * Columns, not JSON, so that averages and peaks are taken in SQL on either dialect.
 */
export const workerVitals = sqliteTable(
  'worker_vitals',
  {
    workerId: text('worker_id')
      .notNull()
      .references(() => workers.id, { onDelete: 'cascade' }),
    /** The beat's time, epoch ms. */
    t: integer('t').notNull(),
    cpuBusy: real('cpu_busy'),
    cores: integer('cores').notNull(),
    load1: real('load1').notNull(),
    memoryUsedBytes: integer('memory_used_bytes').notNull(),
    memoryTotalBytes: integer('memory_total_bytes').notNull(),
    diskAvailableBytes: integer('disk_available_bytes'),
    diskSizeBytes: integer('disk_size_bytes'),
    diskUsedBytes: integer('disk_used_bytes'),
  },
  (t) => [primaryKey({ columns: [t.workerId, t.t] }), index('worker_vitals_by_time').on(t.t)],
);

export type WorkerVitalsRow = typeof workerVitals.$inferSelect;
