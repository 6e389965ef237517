import { and, asc, count, desc, eq, ne } from 'drizzle-orm';
import type { Db } from '../index';
import { sessionEntries } from '../schema';

export interface NewSessionEntry {
  /** Null for lines without one (titles, tags): appended every time. */
  uuid: string | null;
  /** The line's JSON text, masked. */
  entry: string;
  at: number;
}

/** Appends a batch in one transaction; a line whose uuid is already stored is skipped (replays, retries). */
export function appendSessionEntries(
  db: Db,
  sessionId: string,
  subpath: string,
  entries: readonly NewSessionEntry[],
): void {
  if (entries.length === 0) return;
  db.transaction((tx) => {
    for (const entry of entries)
      tx.insert(sessionEntries)
        .values({ sessionId, subpath, ...entry })
        .onConflictDoNothing()
        .run();
  });
}

/** The transcript's lines in the order they were stored. */
export function loadSessionEntries(db: Db, sessionId: string, subpath: string): string[] {
  return db
    .select({ entry: sessionEntries.entry })
    .from(sessionEntries)
    .where(and(eq(sessionEntries.sessionId, sessionId), eq(sessionEntries.subpath, subpath)))
    .orderBy(asc(sessionEntries.id))
    .all()
    .map((row) => row.entry);
}

/** The subagent transcripts kept beside a session's main one. */
export function listSessionSubpaths(db: Db, sessionId: string): string[] {
  return db
    .selectDistinct({ subpath: sessionEntries.subpath })
    .from(sessionEntries)
    .where(and(eq(sessionEntries.sessionId, sessionId), ne(sessionEntries.subpath, '')))
    .all()
    .map((row) => row.subpath);
}

export interface TranscriptFacts {
  entries: number;
  /** When its last line was written; null for none. */
  lastAt: number | null;
  /** The newest lines' JSON text, newest first: the last turn is among them. */
  recent: string[];
}

/** How much of a session is kept, how recent it is, and its newest lines. */
export function transcriptFacts(db: Db, sessionId: string): TranscriptFacts {
  const main = and(eq(sessionEntries.sessionId, sessionId), eq(sessionEntries.subpath, ''));
  const total = db.select({ n: count() }).from(sessionEntries).where(main).get()?.n ?? 0;
  const recent = db
    .select({ at: sessionEntries.at, entry: sessionEntries.entry })
    .from(sessionEntries)
    .where(main)
    .orderBy(desc(sessionEntries.id))
    .limit(50)
    .all();
  return { entries: total, lastAt: recent[0]?.at ?? null, recent: recent.map((row) => row.entry) };
}
