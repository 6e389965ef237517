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
 * Rows recorded before hosts were told apart (one machine per database) carry this host; the first
 * collector to start takes them for its own (adoptUnnamedHostRows).
 */
export const UNNAMED_HOST = '';

/**
 * One row per host and sample, keyed by both: `values` packs every series' value (metricBlobs.ts).
 * A chart reads all series of a host's range, so one row per instant answers it in one short index
 * walk, where a row per series and instant would be ~30 times as many rows. Each host (the web
 * process's, each worker host's) records its own.
 */
export const hostSamples = sqliteTable(
  'host_samples',
  {
    host: text('host').notNull().default(UNNAMED_HOST),
    t: integer('t').notNull(),
    values: blob('values', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.t] })],
);

export type HostSampleRow = typeof hostSamples.$inferSelect;

/** One row per tier and closed bucket: count, sum, minimum and maximum of every series (metricBlobs.ts). */
export const hostRollups = sqliteTable(
  'host_rollups',
  {
    host: text('host').notNull().default(UNNAMED_HOST),
    tier: text('tier').$type<RollupTier>().notNull(),
    /** Bucket start, a multiple of the tier's step. */
    t: integer('t').notNull(),
    values: blob('values', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.tier, t.t] })],
);

export type HostRollupRow = typeof hostRollups.$inferSelect;

/**
 * How far each host's tiers have been rolled up: every bucket before `rolledThrough` is final.
 * Advanced in the transaction that writes the buckets, so a crash never rolls a bucket up twice or
 * skips one.
 */
export const metricRollupProgress = sqliteTable(
  'metric_rollup_progress',
  {
    host: text('host').notNull().default(UNNAMED_HOST),
    tier: text('tier').$type<RollupTier>().notNull(),
    rolledThrough: integer('rolled_through').notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.tier] })],
);
