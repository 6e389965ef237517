import { and, asc, count, desc, eq, ne } from 'drizzle-orm';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

export interface NewSessionEntry {
  /** Null for lines without one (titles, tags): appended every time. */
  uuid: string | null;
  /** The line's JSON text, masked. */
  entry: string;
  at: number;
}

/**
 * Appends a batch (run it in a transaction: all of it or none); a line whose uuid is already
 * stored is skipped (replays, retries).
 */
export function* appendSessionEntries(
  { db, t }: Store,
  sessionId: string,
  subpath: string,
  entries: readonly NewSessionEntry[],
): Plan<void> {
  for (const entry of entries)
    yield* changesOf(
      db
        .insert(t.sessionEntries)
        .values({ sessionId, subpath, ...entry })
        .onConflictDoNothing(),
    );
}

const ofTranscript = ({ t }: Store, sessionId: string, subpath: string) =>
  and(eq(t.sessionEntries.sessionId, sessionId), eq(t.sessionEntries.subpath, subpath));

/** The transcript's lines in the order they were stored. */
export function* loadSessionEntries(store: Store, sessionId: string, subpath: string): Plan<string[]> {
  const entries = store.t.sessionEntries;
  const rows = yield* rowsOf(
    store.db
      .select({ entry: entries.entry })
      .from(entries)
      .where(ofTranscript(store, sessionId, subpath))
      .orderBy(asc(entries.id)),
  );
  return rows.map((row) => row.entry);
}

/** The subagent transcripts kept beside a session's main one, by name. */
export function* listSessionSubpaths({ db, t }: Store, sessionId: string): Plan<string[]> {
  const entries = t.sessionEntries;
  const rows = yield* rowsOf(
    db
      .selectDistinct({ subpath: entries.subpath })
      .from(entries)
      .where(and(eq(entries.sessionId, sessionId), ne(entries.subpath, '')))
      .orderBy(asc(entries.subpath)),
  );
  return rows.map((row) => row.subpath);
}

export interface TranscriptFacts {
  entries: number;
  /** When its last line was written; null for none. */
  lastAt: number | null;
  /** The newest lines' JSON text, newest first: the last turn is among them. */
  recent: string[];
}

/** How much of a session is kept, how recent it is, and its newest lines. */
export function* transcriptFacts(store: Store, sessionId: string): Plan<TranscriptFacts> {
  const { db, t } = store;
  const entries = t.sessionEntries;
  const main = ofTranscript(store, sessionId, '');
  // count() reads back as a number on both dialects (drizzle maps Postgres' bigint text).
  const total = (yield* firstOf(db.select({ n: count() }).from(entries).where(main)))?.n ?? 0;
  const recent = yield* rowsOf(
    db
      .select({ at: entries.at, entry: entries.entry })
      .from(entries)
      .where(main)
      .orderBy(desc(entries.id))
      .limit(50),
  );
  return { entries: total, lastAt: recent[0]?.at ?? null, recent: recent.map((row) => row.entry) };
}
