import { blob, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { HostMetric, RollupTier } from '../../contracts/metrics';

/**
 * The host metric series ever recorded: a metric and the entity it is about ('' for the whole
 * machine, else a core, mount point, device or interface). Sample rows refer to these ids.
 */
export const metricSeries = sqliteTable(
  'metric_series',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    metric: text('metric').$type<HostMetric>().notNull(),
    entity: text('entity').notNull().default(''),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('metric_series_by_metric_entity').on(t.metric, t.entity)],
);

export type MetricSeriesRow = typeof metricSeries.$inferSelect;

/**
 * One row per host sample: its time is the rowid, and `values` packs every series' value
 * (metricBlobs.ts). A chart reads all series of a range, so one row per instant answers it in
 * one short index walk, where a row per series and instant would be ~30 times as many rows.
 */
export const hostSamples = sqliteTable('host_samples', {
  t: integer('t').primaryKey(),
  values: blob('values', { mode: 'buffer' }).notNull(),
});

export type HostSampleRow = typeof hostSamples.$inferSelect;

/** One row per tier and closed bucket: count, sum, minimum and maximum of every series (metricBlobs.ts). */
export const hostRollups = sqliteTable(
  'host_rollups',
  {
    tier: text('tier').$type<RollupTier>().notNull(),
    /** Bucket start, a multiple of the tier's step. */
    t: integer('t').notNull(),
    values: blob('values', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tier, t.t] })],
);

export type HostRollupRow = typeof hostRollups.$inferSelect;

/**
 * How far each tier has been rolled up: every bucket before `rolledThrough` is final. Advanced in
 * the transaction that writes the buckets, so a crash never rolls a bucket up twice or skips one.
 */
export const metricRollupProgress = sqliteTable('metric_rollup_progress', {
  tier: text('tier').$type<RollupTier>().primaryKey(),
  rolledThrough: integer('rolled_through').notNull(),
});
