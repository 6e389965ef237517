import { doublePrecision, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { int64 } from './columns';
import { executions } from './executions';

/** ../schema/runResources.ts in Postgres. */
export const executionResourceSamples = pgTable(
  'execution_resource_samples',
  {
    executionId: int64('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    t: int64('t').notNull(),
    cpuPercent: doublePrecision('cpu_percent').notNull(),
    rssBytes: int64('rss_bytes').notNull(),
    processCount: int64('process_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.t] })],
);
