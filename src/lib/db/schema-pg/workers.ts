import { doublePrecision, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { HostVitals } from '../../contracts/workers';
import { int64 } from './columns';

/** ../schema/workers.ts in Postgres. */
export const workers = pgTable(
  'workers',
  {
    id: text('id').primaryKey(),
    host: text('host').notNull(),
    labels: jsonb('labels').$type<string[]>().notNull(),
    version: text('version').notNull(),
    startedAt: int64('started_at').notNull(),
    lastBeatAt: int64('last_beat_at').notNull(),
    drainingSince: int64('draining_since'),
    stoppedAt: int64('stopped_at'),
    vitals: jsonb('vitals').$type<HostVitals>(),
  },
  (t) => [index('workers_recent').on(t.startedAt)],
);

/** ../schema/workers.ts in Postgres. */
export const workerVitals = pgTable(
  'worker_vitals',
  {
    workerId: text('worker_id')
      .notNull()
      .references(() => workers.id, { onDelete: 'cascade' }),
    t: int64('t').notNull(),
    cpuBusy: doublePrecision('cpu_busy'),
    cores: int64('cores').notNull(),
    load1: doublePrecision('load1').notNull(),
    memoryUsedBytes: int64('memory_used_bytes').notNull(),
    memoryTotalBytes: int64('memory_total_bytes').notNull(),
    diskAvailableBytes: int64('disk_available_bytes'),
    diskSizeBytes: int64('disk_size_bytes'),
    diskUsedBytes: int64('disk_used_bytes'),
  },
  (t) => [primaryKey({ columns: [t.workerId, t.t] }), index('worker_vitals_by_time').on(t.t)],
);
