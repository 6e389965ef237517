import { desc, gte, lt } from 'drizzle-orm';
import type { HealthReportPage, ListHealthReportsQuery } from '../../contracts/healthReports';
import type { Db } from '../index';
import { type HealthReportRow, healthReports } from '../schema';

export type NewHealthReport = typeof healthReports.$inferInsert;

export function insertHealthReport(db: Db, report: NewHealthReport): void {
  db.insert(healthReports).values(report).run();
}

/** Newest first, keyset-paged by id. */
export function listHealthReportRows(
  db: Db,
  query: ListHealthReportsQuery,
): { rows: HealthReportRow[]; nextBefore: number | null } {
  const rows = db
    .select()
    .from(healthReports)
    .where(query.before === undefined ? undefined : lt(healthReports.id, query.before))
    .orderBy(desc(healthReports.id))
    .limit(query.limit + 1)
    .all();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { rows: page, nextBefore: rows.length > query.limit && last ? last.id : null };
}

export function getLatestHealthReportRow(db: Db): HealthReportRow | undefined {
  return db.select().from(healthReports).orderBy(desc(healthReports.id)).limit(1).get();
}

/** Every report since `since`, oldest first: the dashboard's strip of statuses. */
export function listHealthReportRowsSince(db: Db, since: number): HealthReportRow[] {
  return db
    .select()
    .from(healthReports)
    .where(gte(healthReports.createdAt, since))
    .orderBy(healthReports.createdAt)
    .all();
}

export type { HealthReportPage };
