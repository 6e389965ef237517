import { asc, desc, gte, lt } from 'drizzle-orm';
import type { HealthReportPage, ListHealthReportsQuery } from '../../contracts/healthReports';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import type { HealthReportRow, healthReports } from '../schema';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

export type NewHealthReport = typeof healthReports.$inferInsert;

export function* insertHealthReport({ db, t }: Store, report: NewHealthReport): Plan<void> {
  yield* changesOf(db.insert(t.healthReports).values(report));
}

/** Newest first, keyset-paged by id. */
export function* listHealthReportRows(
  { db, t }: Store,
  query: ListHealthReportsQuery,
): Plan<{ rows: HealthReportRow[]; nextBefore: number | null }> {
  const reports = t.healthReports;
  const rows = yield* rowsOf(
    db
      .select()
      .from(reports)
      .where(query.before === undefined ? undefined : lt(reports.id, query.before))
      .orderBy(desc(reports.id))
      .limit(query.limit + 1),
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { rows: page, nextBefore: rows.length > query.limit && last ? last.id : null };
}

export function getLatestHealthReportRow({ db, t }: Store): Plan<HealthReportRow | undefined> {
  return firstOf(db.select().from(t.healthReports).orderBy(desc(t.healthReports.id)).limit(1));
}

/** Every report since `since`, oldest first (reports of one instant by id): the dashboard's strip of statuses. */
export function listHealthReportRowsSince({ db, t }: Store, since: number): Plan<HealthReportRow[]> {
  const reports = t.healthReports;
  return rowsOf(
    db
      .select()
      .from(reports)
      .where(gte(reports.createdAt, since))
      .orderBy(asc(reports.createdAt), asc(reports.id)),
  );
}

export type { HealthReportPage };
