import { index, integer, real, sqliteTable } from 'drizzle-orm/sqlite-core';

/** Periodic samples of this machine's health. */
export const systemMetrics = sqliteTable(
  'system_metrics',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordedAt: integer('recorded_at').notNull(),
    cpuPercent: real('cpu_percent').notNull(),
    load1: real('load_1').notNull(),
    load5: real('load_5').notNull(),
    load15: real('load_15').notNull(),
    memoryUsedBytes: integer('memory_used_bytes').notNull(),
    memoryTotalBytes: integer('memory_total_bytes').notNull(),
    diskUsedBytes: integer('disk_used_bytes').notNull(),
    diskTotalBytes: integer('disk_total_bytes').notNull(),
    networkRxBytes: integer('network_rx_bytes').notNull(),
    networkTxBytes: integer('network_tx_bytes').notNull(),
  },
  (t) => [index('system_metrics_recent').on(t.recordedAt)],
);

export type SystemMetric = typeof systemMetrics.$inferSelect;
export type NewSystemMetric = typeof systemMetrics.$inferInsert;
