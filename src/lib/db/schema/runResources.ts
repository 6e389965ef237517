import { integer, primaryKey, real, sqliteTable } from 'drizzle-orm/sqlite-core';
import { executions } from './executions';

/** What a run's process tree used, every sampler tick while it lived; deleted with the execution. */
export const executionResourceSamples = sqliteTable(
  'execution_resource_samples',
  {
    executionId: integer('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    t: integer('t').notNull(),
    /** 100 = one core busy for the whole interval. */
    cpuPercent: real('cpu_percent').notNull(),
    rssBytes: integer('rss_bytes').notNull(),
    processCount: integer('process_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.t] })],
);

export type ExecutionResourceSample = typeof executionResourceSamples.$inferSelect;
