import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Claude Code session transcripts, kept by ClaudeOps (the SDK's SessionStore): a continue or an
 * approval's resume reads them from here, whatever became of the CLI's own files, its config
 * directory or the run's working directory. One row per transcript line, secrets masked.
 */
export const sessionEntries = sqliteTable(
  'session_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id').notNull(),
    /** '' for the main transcript; a subagent's transcript otherwise. */
    subpath: text('subpath').notNull().default(''),
    /** The entry's own uuid: a replayed batch adds nothing twice. */
    uuid: text('uuid'),
    /** The JSONL line as Claude Code wrote it (masked). */
    entry: text('entry').notNull(),
    /** The entry's timestamp, or when it was stored. */
    at: integer('at').notNull(),
  },
  (t) => [
    index('session_entries_by_session').on(t.sessionId, t.subpath, t.id),
    uniqueIndex('session_entries_unique_uuid')
      .on(t.sessionId, t.subpath, t.uuid)
      .where(sql`${t.uuid} is not null`),
  ],
);

export type SessionEntry = typeof sessionEntries.$inferSelect;
