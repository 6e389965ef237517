import { sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { int64, rowId } from './columns';

/** ../schema/sessions.ts in Postgres: one row per transcript line, the line as text (masked). */
export const sessionEntries = pgTable(
  'session_entries',
  {
    id: rowId('id'),
    sessionId: text('session_id').notNull(),
    subpath: text('subpath').notNull().default(''),
    uuid: text('uuid'),
    entry: text('entry').notNull(),
    at: int64('at').notNull(),
  },
  (t) => [
    index('session_entries_by_session').on(t.sessionId, t.subpath, t.id),
    uniqueIndex('session_entries_unique_uuid')
      .on(t.sessionId, t.subpath, t.uuid)
      .where(sql`${t.uuid} is not null`),
  ],
);
