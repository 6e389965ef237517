import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
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
