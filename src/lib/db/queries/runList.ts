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
import type { DbConnection } from '../index';
import { executionDurationKey, executions } from '../schema';
import { summarySelect, toSummary } from './executions';
import { countUnindexedRuns, indexNewRuns } from './runSearchIndex';

/**
 * The FTS5 index over runs' prompts and results (a virtual table the migration creates, kept by
 * its triggers). Declared here, outside the schema, only so queries can join it: drizzle-kit must
 * not try to create it as a table.
 */
const executionsFts = sqliteTable('executions_fts', { rowid: integer('rowid').notNull() });

/** Each sort's key, as SQL (the very expression its index is built on) and as read off a row. */
const SORT_KEYS: Record<RunSort, { sql: SQL; of(row: ExecutionSummary): number }> = {
  // Ids are given in creation order, so newest first is id order: no second key needed.
  created: { sql: sql`${executions.id}`, of: (row) => row.id },
  duration: { sql: executionDurationKey(executions.durationMs), of: (row) => row.durationMs ?? -1 },
  cost: { sql: sql`${executions.costMicros}`, of: (row) => Math.round(row.costUsd * 1_000_000) },
};

/**
 * The words of a search box as an FTS5 query: each a quoted whole word, all of them required.
 * Quoting keeps FTS5's own syntax (AND, NEAR, column filters, quotes) out of users' hands. Whole
 * words, not prefixes: FTS5 walks a word's postings lazily, newest first, and stops at the page's
 * end, while a prefix (`"rot"*`) merges every matching word's postings first (0.4 ms against
 * 80 ms for two common words at a million runs).
 */
export function toFtsQuery(text: string): string | undefined {
  const words = text
    .split(/\s+/)
    .map((word) => word.replace(/"/g, ''))
    .filter((word) => word.length > 0);
  return words.length === 0 ? undefined : words.map((word) => `"${word}"`).join(' ');
}

/**
 * A search in creation order reads the FTS index in its own rowid order (the run's id), so the id
 * bounds and orders it there; otherwise the runs table's id does.
 */
const idColumn = (searchDriven: boolean) => (searchDriven ? executionsFts.rowid : executions.id);

/** Rows after the cursor in the page's order: `(key, id)` past the last row's, written so the key's index bounds it. */
function afterCursor(
  sort: RunSort,
  order: SortOrder,
  key: number,
  id: number,
  searchDriven: boolean,
): SQL | undefined {
  const past = order === 'desc' ? lt : gt;
  if (sort === 'created') return past(idColumn(searchDriven), id);
  const keySql = SORT_KEYS[sort].sql;
  const within = order === 'desc' ? lte(keySql, key) : gte(keySql, key);
  return and(within, or(past(keySql, key), and(eq(keySql, key), past(executions.id, id))));
}

/** A search in creation order reads the search index first; other sorts read the matches into their order. */
const isSearchDriven = (query: ListExecutionsInput): boolean =>
  query.q !== undefined && toFtsQuery(query.q) !== undefined && (query.sort ?? 'created') === 'created';

/** The filters of a Runs page query, `now` fixing where a range like `24h` starts. */
export function runFilters(query: ListExecutionsInput, now: number): SQL | undefined {
  const sort = query.sort ?? 'created';
  const order = query.order ?? 'desc';
  const cursor = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor);
  const from =
    query.range === undefined ? query.from : Math.max(query.from ?? 0, now - RUN_RANGES[query.range]);
  const search = query.q === undefined ? undefined : toFtsQuery(query.q);
  const searchDriven = isSearchDriven(query);
  return and(
    query.agentId === undefined ? undefined : eq(executions.agentId, query.agentId),
    query.status === undefined ? undefined : eq(executions.status, query.status),
    query.trigger === undefined ? undefined : eq(executions.trigger, query.trigger),
    query.scheduleId === undefined ? undefined : eq(executions.scheduleId, query.scheduleId),
    from === undefined ? undefined : gte(executions.createdAt, from),
    query.to === undefined ? undefined : lt(executions.createdAt, query.to),
    search === undefined
      ? undefined
      : searchDriven
        ? sql`executions_fts match ${search}`
        : sql`${executions.id} in (select rowid from executions_fts where executions_fts match ${search})`,
    query.before === undefined ? undefined : lt(idColumn(searchDriven), query.before),
    cursor === undefined ? undefined : afterCursor(sort, order, cursor.key, cursor.id, searchDriven),
  );
}

/**
 * Runs as the Runs page and `GET /api/executions` list them: filtered, searched, sorted, and
 * keyset-paged on (sort key, id), so a page costs the same at the millionth run as at the first
 * and stays stable while runs are added.
 */
export function listExecutions(
  db: DbConnection,
  query: ListExecutionsInput,
  now = Date.now(),
): ExecutionPage {
  const unindexedRuns = query.q === undefined ? 0 : catchUpSearchIndex(db);
  const sort = query.sort ?? 'created';
  const order = query.order ?? 'desc';
  const direction = order === 'desc' ? desc : asc;
  const key = SORT_KEYS[sort];
  const searchDriven = isSearchDriven(query);
  const select = searchDriven
    ? summarySelect(db).innerJoin(executionsFts, eq(executionsFts.rowid, executions.id))
    : summarySelect(db);
  const rows = select
    .where(runFilters(query, now))
    .orderBy(
      ...(sort === 'created'
        ? [direction(idColumn(searchDriven))]
        : [direction(key.sql), direction(executions.id)]),
    )
    .limit(query.limit + 1)
    .all()
    .map(toSummary);
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
 * A search sees every run there is: the ones since the last batch go into the index first. On a
 * full (or read-only) disk that write fails; the search then answers from the index as it is, a read
 * like any other, and returns how many of the newest runs it could not cover.
 */
function catchUpSearchIndex(db: DbConnection): number {
  try {
    indexNewRuns(db);
    return 0;
  } catch (error) {
    if (!storageFaultOf(error)) throw error;
    return countUnindexedRuns(db);
  }
}
