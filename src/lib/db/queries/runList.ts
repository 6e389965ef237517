import { and, asc, desc, eq, gt, gte, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import {
  decodeRunCursor,
  type ExecutionPage,
  type ExecutionSummary,
  encodeRunCursor,
  type ListExecutionsInput,
  RUN_RANGES,
  type RunSort,
  type SortOrder,
} from '../../contracts/executions';
import { storageFaultOf } from '../../core/storageFault';
import { executionDurationKey } from '../schema';
import { executionSearchVector, searchableText } from '../schema-pg';
import type { Store, Tables } from '../store';
import { summarySelect, toSummary } from './executions';
import { countUnindexedRuns, indexNewRuns } from './runSearchIndex';

// Dialect-neutral (see store.ts): the list runs on SQLite and on Postgres, and so do its tests.
// Only the search differs: SQLite's FTS5 table, Postgres' GIN index (docs/scaling.md).

/**
 * SQLite's FTS5 index over runs' prompts and results (a virtual table the migration creates, kept
 * by its triggers). Declared here, outside the schema, only so queries can join it: drizzle-kit must
 * not try to create it as a table.
 */
const executionsFts = sqliteTable('executions_fts', { rowid: integer('rowid').notNull() });

interface SortKey {
  /** The very expression the sort's index is built on. */
  sql: SQL;
  of(row: ExecutionSummary): number;
}

/** Each sort's key, as SQL and as read off a row. */
function sortKeyOf(sort: RunSort, { executions }: Tables): SortKey {
  switch (sort) {
    // Ids are given in creation order, so newest first is id order: no second key needed.
    case 'created':
      return { sql: sql`${executions.id}`, of: (row) => row.id };
    case 'duration':
      return { sql: executionDurationKey(executions.durationMs), of: (row) => row.durationMs ?? -1 };
    case 'cost':
      return { sql: sql`${executions.costMicros}`, of: (row) => Math.round(row.costUsd * 1_000_000) };
  }
}

/**
 * The words of a search box: split on white space and control characters (Postgres refuses a NUL
 * in any text), quotes dropped (they are never syntax).
 */
function searchWords(text: string): string[] {
  return text
    .split(/[\s\p{Cc}]+/u)
    .map((word) => word.replace(/"/g, ''))
    .filter((word) => word.length > 0);
}

/**
 * The words of a search box as an FTS5 query: each a quoted whole word, all of them required.
 * Quoting keeps FTS5's own syntax (AND, NEAR, column filters, quotes) out of users' hands. Whole
 * words, not prefixes: FTS5 walks a word's postings lazily, newest first, and stops at the page's
 * end, while a prefix (`"rot"*`) merges every matching word's postings first (0.4 ms against
 * 80 ms for two common words at a million runs).
 */
export function toFtsQuery(text: string): string | undefined {
  const words = searchWords(text);
  return words.length === 0 ? undefined : words.map((word) => `"${word}"`).join(' ');
}

/**
 * The same search in Postgres: each word a phrase of its tokens (`web-1` is `web` then `1`, as a
 * quoted FTS5 word), all of them required (`&&`). Each word is a bound parameter read by
 * `phraseto_tsquery`, which has no syntax to break: no text makes it fail.
 */
function toTsQuery(words: string[]): SQL {
  return sql.join(
    words.map((word) => sql`phraseto_tsquery('simple', ${searchableText(sql`${word}::text`)})`),
    sql` && `,
  );
}

/** The runs matching the search box's words, in `store`'s dialect. */
function matching({ dialect, t }: Store, words: string[], searchDriven: boolean): SQL {
  if (dialect === 'postgres') {
    return sql`${executionSearchVector(t.executions.prompt, t.executions.resultText)} @@ (${toTsQuery(words)})`;
  }
  const search = words.map((word) => `"${word}"`).join(' ');
  return searchDriven
    ? sql`executions_fts match ${search}`
    : sql`${t.executions.id} in (select rowid from executions_fts where executions_fts match ${search})`;
}

/**
 * On SQLite, a search in creation order reads the FTS index first, in its own rowid order (the
 * run's id), so the id bounds and orders it there; otherwise the runs table's id does.
 */
function isSearchDriven(store: Store, query: ListExecutionsInput): boolean {
  return (
    store.dialect === 'sqlite' &&
    query.q !== undefined &&
    searchWords(query.q).length > 0 &&
    (query.sort ?? 'created') === 'created'
  );
}

const idColumn = ({ t }: Store, searchDriven: boolean) =>
  searchDriven ? executionsFts.rowid : t.executions.id;

/** Rows after the cursor in the page's order: `(key, id)` past the last row's, written so the key's index bounds it. */
function afterCursor(
  store: Store,
  { sort, order }: { sort: RunSort; order: SortOrder },
  { key, id }: { key: number; id: number },
  searchDriven: boolean,
): SQL | undefined {
  const past = order === 'desc' ? lt : gt;
  if (sort === 'created') return past(idColumn(store, searchDriven), id);
  const keySql = sortKeyOf(sort, store.t).sql;
  const within = order === 'desc' ? lte(keySql, key) : gte(keySql, key);
  return and(within, or(past(keySql, key), and(eq(keySql, key), past(store.t.executions.id, id))));
}

/** The filters of a Runs page query, `now` fixing where a range like `24h` starts. */
function runFilters(store: Store, query: ListExecutionsInput, now: number): SQL | undefined {
  const { executions } = store.t;
  const sort = query.sort ?? 'created';
  const order = query.order ?? 'desc';
  const cursor = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor);
  const from =
    query.range === undefined ? query.from : Math.max(query.from ?? 0, now - RUN_RANGES[query.range]);
  const words = query.q === undefined ? [] : searchWords(query.q);
  const searchDriven = isSearchDriven(store, query);
  return and(
    query.agentId === undefined ? undefined : eq(executions.agentId, query.agentId),
    query.status === undefined ? undefined : eq(executions.status, query.status),
    query.trigger === undefined ? undefined : eq(executions.trigger, query.trigger),
    query.scheduleId === undefined ? undefined : eq(executions.scheduleId, query.scheduleId),
    from === undefined ? undefined : gte(executions.createdAt, from),
    query.to === undefined ? undefined : lt(executions.createdAt, query.to),
    words.length === 0 ? undefined : matching(store, words, searchDriven),
    query.before === undefined ? undefined : lt(idColumn(store, searchDriven), query.before),
    cursor === undefined ? undefined : afterCursor(store, { sort, order }, cursor, searchDriven),
  );
}

/**
 * Runs as the Runs page and `GET /api/executions` list them: filtered, searched, sorted, and
 * keyset-paged on (sort key, id), so a page costs the same at the millionth run as at the first
 * and stays stable while runs are added.
 */
export async function listExecutions(
  store: Store,
  query: ListExecutionsInput,
  now = Date.now(),
): Promise<ExecutionPage> {
  const { db, t } = store;
  // A list is never read inside a transaction: the catch-up runs its own on the store's connection.
  const unindexedRuns = query.q !== undefined ? await catchUpSearchIndex(store) : 0;
  const sort = query.sort ?? 'created';
  const order = query.order ?? 'desc';
  const direction = order === 'desc' ? desc : asc;
  const key = sortKeyOf(sort, t);
  const searchDriven = isSearchDriven(store, query);
  const select = searchDriven
    ? summarySelect(db, t).innerJoin(executionsFts, eq(executionsFts.rowid, t.executions.id))
    : summarySelect(db, t);
  const rows = (
    await select
      .where(runFilters(store, query, now))
      .orderBy(
        ...(sort === 'created'
          ? [direction(idColumn(store, searchDriven))]
          : [direction(key.sql), direction(t.executions.id)]),
      )
      .limit(query.limit + 1)
  ).map(toSummary);
  const items = rows.slice(0, query.limit);
  const last = rows.length > query.limit ? items.at(-1) : undefined;
  return {
    items,
    nextCursor: last ? encodeRunCursor({ sort, key: key.of(last), id: last.id }) : null,
    nextBefore: last && sort === 'created' && order === 'desc' ? last.id : null,
    ...(unindexedRuns > 0 && { unindexedRuns }),
  };
}

/**
 * A search on SQLite sees every run there is: the ones since the last batch go into the index
 * first (Postgres' index follows every write, so it has no such step). On a full (or read-only)
 * disk that write fails; the search then answers from the index as it is, a read like any other,
 * and returns how many of the newest runs it could not cover.
 */
async function catchUpSearchIndex(store: Store): Promise<number> {
  try {
    await indexNewRuns(store);
    return 0;
  } catch (error) {
    if (!storageFaultOf(error)) throw error;
    return countUnindexedRuns(store);
  }
}
