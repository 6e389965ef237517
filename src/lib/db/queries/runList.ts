import { and, asc, desc, eq, gt, gte, lt, lte, or, type SQL, sql } from 'drizzle-orm';
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
import type { Db } from '../index';
import { executionDurationKey, executions } from '../schema';
import { summaries, toSummary } from './executions';

/** Each sort's key, as SQL (the very expression its index is built on) and as read off a row. */
const SORT_KEYS: Record<RunSort, { sql: SQL; of(row: ExecutionSummary): number }> = {
  // Ids are given in creation order, so newest first is id order: no second key needed.
  created: { sql: sql`${executions.id}`, of: (row) => row.id },
  duration: { sql: executionDurationKey(executions.durationMs), of: (row) => row.durationMs ?? -1 },
  cost: { sql: sql`${executions.costMicros}`, of: (row) => Math.round(row.costUsd * 1_000_000) },
};

/**
 * The words of a search box as an FTS5 query: each word a quoted prefix (`"deploy"*`), all of them
 * required. Quoting keeps FTS5's own syntax (AND, NEAR, column filters, quotes) out of users' hands.
 */
export function toFtsQuery(text: string): string | undefined {
  const words = text
    .split(/\s+/)
    .map((word) => word.replace(/"/g, ''))
    .filter((word) => word.length > 0);
  return words.length === 0 ? undefined : words.map((word) => `"${word}"*`).join(' ');
}

/** Rows after the cursor in the page's order: `(key, id)` past the last row's, written so the key's index bounds it. */
function afterCursor(sort: RunSort, order: SortOrder, key: number, id: number): SQL | undefined {
  const past = order === 'desc' ? lt : gt;
  if (sort === 'created') return past(executions.id, id);
  const keySql = SORT_KEYS[sort].sql;
  const within = order === 'desc' ? lte(keySql, key) : gte(keySql, key);
  return and(within, or(past(keySql, key), and(eq(keySql, key), past(executions.id, id))));
}

/** The filters of a Runs page query, `now` fixing where a range like `24h` starts. */
export function runFilters(query: ListExecutionsInput, now: number): SQL | undefined {
  const sort = query.sort ?? 'created';
  const order = query.order ?? 'desc';
  const cursor = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor);
  const from =
    query.range === undefined ? query.from : Math.max(query.from ?? 0, now - RUN_RANGES[query.range]);
  const search = query.q === undefined ? undefined : toFtsQuery(query.q);
  return and(
    query.agentId === undefined ? undefined : eq(executions.agentId, query.agentId),
    query.status === undefined ? undefined : eq(executions.status, query.status),
    query.trigger === undefined ? undefined : eq(executions.trigger, query.trigger),
    query.scheduleId === undefined ? undefined : eq(executions.scheduleId, query.scheduleId),
    from === undefined ? undefined : gte(executions.createdAt, from),
    query.to === undefined ? undefined : lt(executions.createdAt, query.to),
    search === undefined
      ? undefined
      : sql`${executions.id} in (select rowid from executions_fts where executions_fts match ${search})`,
    query.before === undefined ? undefined : lt(executions.id, query.before),
    cursor === undefined ? undefined : afterCursor(sort, order, cursor.key, cursor.id),
  );
}

/**
 * Runs as the Runs page and `GET /api/executions` list them: filtered, searched, sorted, and
 * keyset-paged on (sort key, id), so a page costs the same at the millionth run as at the first
 * and stays stable while runs are added.
 */
export function listExecutions(db: Db, query: ListExecutionsInput, now = Date.now()): ExecutionPage {
  const sort = query.sort ?? 'created';
  const order = query.order ?? 'desc';
  const direction = order === 'desc' ? desc : asc;
  const key = SORT_KEYS[sort];
  const rows = summaries(db, runFilters(query, now))
    .orderBy(
      ...(sort === 'created' ? [direction(executions.id)] : [direction(key.sql), direction(executions.id)]),
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
  };
}
