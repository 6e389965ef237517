import { pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { HostMetric, RollupTier } from '../../contracts/metrics';
import { UNNAMED_HOST } from '../schema/metrics';
import { bytea, int64, rowId } from './columns';

/** ../schema/metrics.ts in Postgres: the packed values are the same bytes (metricBlobs.ts). */
export const metricSeries = pgTable(
  'metric_series',
  {
    id: rowId('id'),
    metric: text('metric').$type<HostMetric>().notNull(),
    entity: text('entity').notNull().default(''),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [uniqueIndex('metric_series_by_metric_entity').on(t.metric, t.entity)],
);

export const hostSamples = pgTable(
  'host_samples',
  {
    host: text('host').notNull().default(UNNAMED_HOST),
    t: int64('t').notNull(),
    values: bytea('values').notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.t] })],
);

export const hostRollups = pgTable(
  'host_rollups',
  {
    host: text('host').notNull().default(UNNAMED_HOST),
    tier: text('tier').$type<RollupTier>().notNull(),
    t: int64('t').notNull(),
    values: bytea('values').notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.tier, t.t] })],
);

export const metricRollupProgress = pgTable(
  'metric_rollup_progress',
  {
    host: text('host').notNull().default(UNNAMED_HOST),
    tier: text('tier').$type<RollupTier>().notNull(),
    rolledThrough: int64('rolled_through').notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.tier] })],
);
